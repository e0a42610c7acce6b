/**
 * Which generator serves each resource group of Google's catalog (the 73 Google lists and the one it retired). A test checks this table against the catalog
 * (`src/catalog/google-resource-groups.json`) both ways, so a group can't go missing or be invented.
 */
import { chromeGroups } from './chrome.js';
import type { GroupSpec } from './group-spec.js';
import { mapsGroups } from './maps.js';
import { miscGroups } from './misc.js';
import { myActivityGroups } from './my-activity.js';
import { nestGroups } from './nest.js';
import { playGroups } from './play.js';
import { searchGroups } from './search.js';
import { youtubeGroups } from './youtube.js';

export const demoGroups: Readonly<Record<string, GroupSpec | undefined>> = Object.freeze({
  ...myActivityGroups,
  ...chromeGroups,
  ...mapsGroups,
  ...youtubeGroups,
  ...playGroups,
  ...searchGroups,
  ...miscGroups,
  ...nestGroups,
});

/** Every resource group the demo source serves, sorted. */
export const demoGroupNames: readonly string[] = Object.freeze(Object.keys(demoGroups).sort());

/** Google documents `startTime`/`endTime` only for My Activity and Chrome history; its catalog says which. */
export { supportsTimeFilter } from '../../catalog/google.js';
