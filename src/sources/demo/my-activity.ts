/**
 * The six `myactivity.*` groups: Takeout's `My Activity/<Product>/MyActivity.json`, newest first.
 *
 * These are what benchmarks export by the gigabyte, so a record is a few pool picks and one object literal:
 * strings (titles, URLs, subtitle and location objects) are built once per export in pools derived from the
 * group's seed and shared between records. Optional fields are `undefined` rather than absent, so every record
 * has the same shape (V8 keeps one hidden class, and JSON.stringify drops undefined fields, so the output is
 * as Takeout writes it).
 */
import { listFile, type GroupContext, type GroupSpec } from './group-spec.js';
import { channelPool, cityFor, euros, makePlace, placePool, queryParam, round7, searchQuery, userProfile, videoPool, type UserProfile } from './entities.js';
import { deepFreeze, makePool, rfc3339, type Pool } from './timeline.js';
import { APPS, BASE64URL, MAPS_QUERIES, MERCHANTS, PRODUCTS, SITES } from './vocab.js';

interface NameUrl {
  readonly name: string;
  readonly url?: string;
}

interface LocationInfo {
  readonly name: string;
  readonly url: string;
  readonly source: string;
  readonly sourceUrl: string;
}

export interface ActivityRecord {
  header: string;
  title: string;
  titleUrl: string | undefined;
  subtitles: readonly NameUrl[] | undefined;
  description: string | undefined;
  time: string;
  products: readonly string[];
  details: readonly NameUrl[] | undefined;
  activityControls: readonly string[];
  locationInfos: readonly LocationInfo[] | undefined;
}

function activity(
  header: string,
  title: string,
  titleUrl: string | undefined,
  subtitles: readonly NameUrl[] | undefined,
  description: string | undefined,
  time: string,
  products: readonly string[],
  details: readonly NameUrl[] | undefined,
  activityControls: readonly string[],
  locationInfos: readonly LocationInfo[] | undefined,
): ActivityRecord {
  return { header, title, titleUrl, subtitles, description, time, products, details, activityControls, locationInfos };
}

const WEB_AND_APP = deepFreeze(['Web & App Activity'] as const);
const WATCH_HISTORY = deepFreeze(['YouTube watch history'] as const);
const YT_SEARCH_HISTORY = deepFreeze(['YouTube search history'] as const);
const FROM_ADS = deepFreeze([{ name: 'From Google Ads' }] as const);

const LOCATION_SOURCES = [
  { source: 'From your device', sourceUrl: 'https://support.google.com/websearch/answer/1696589' },
  { source: 'From your places (Home)', sourceUrl: 'https://support.google.com/websearch/answer/1696589' },
  { source: 'From your IP address', sourceUrl: 'https://support.google.com/websearch/answer/1696589' },
] as const;

/** "At this general area" entries around the cities the user spends time in. */
function locationPool(seed: number, profile: UserProfile): Pool<readonly LocationInfo[]> {
  return makePool(seed ^ 0x6c6f6361, 64, (rng) => {
    const city = cityFor(rng, profile);
    const lat = round7(city.lat + (rng.float() - 0.5) * 0.05);
    const lng = round7(city.lng + (rng.float() - 0.5) * 0.08);
    const from = rng.pick(LOCATION_SOURCES);
    return [
      {
        name: 'At this general area',
        url: `https://www.google.com/maps/@?api=1&map_action=map&center=${lat},${lng}&zoom=12`,
        source: from.source,
        sourceUrl: from.sourceUrl,
      },
    ];
  });
}

function path(product: string): string {
  return `My Activity/${product}/MyActivity.json`;
}

const FORMAT = { type: 'json-array' } as const;

const search: GroupSpec = {
  spanDays: 30,
  shape: 'list',
  files(ctx: GroupContext) {
    const profile = userProfile(ctx.userSeed);
    const locations = locationPool(ctx.seed, profile);
    const products = deepFreeze(['Search'] as const);
    const queries = makePool(ctx.seed, 1024, (rng) => {
      const q = searchQuery(rng);
      return { title: `Searched for ${q}`, url: `https://www.google.com/search?q=${queryParam(q)}` };
    });
    const pages = makePool(ctx.seed ^ 0x70616765, 512, (rng) => {
      const site = rng.pick(SITES);
      const page = `https://${site.host}${rng.pick(site.paths)}`;
      return { title: `Visited ${site.name}`, url: `https://www.google.com/url?q=${page}&usg=AOvVaw${rng.chars(BASE64URL, 22)}` };
    });
    return [
      listFile(ctx, path('Search'), FORMAT, (_k, ms, rng) => {
        const r = rng.float();
        const where = rng.chance(0.4) ? locations.pick(rng) : undefined;
        if (r < 0.68) {
          const q = queries.pick(rng);
          return activity('Search', q.title, q.url, undefined, undefined, rfc3339(ms), products, undefined, WEB_AND_APP, where);
        }
        const page = pages.pick(rng);
        const details = r > 0.97 ? FROM_ADS : undefined;
        return activity('Search', page.title, page.url, undefined, undefined, rfc3339(ms), products, details, WEB_AND_APP, where);
      }),
    ];
  },
};

const maps: GroupSpec = {
  spanDays: 120,
  shape: 'list',
  files(ctx: GroupContext) {
    const profile = userProfile(ctx.userSeed);
    const locations = locationPool(ctx.seed, profile);
    const places = placePool(ctx.seed, profile);
    const products = deepFreeze(['Maps'] as const);
    const entries = makePool(ctx.seed, 1024, (rng) => {
      const r = rng.float();
      if (r < 0.35) {
        const q = rng.pick(MAPS_QUERIES);
        return { title: `Searched for ${q}`, url: `https://www.google.com/maps/search/${queryParam(q)}` };
      }
      const place = places.pick(rng);
      if (r < 0.6) return { title: `Viewed ${place.name}`, url: place.placeUrl };
      if (r < 0.8) {
        return { title: `Directions to ${place.name}`, url: `https://www.google.com/maps/dir//${queryParam(place.name)}` };
      }
      if (r < 0.95) {
        return { title: 'Viewed area in Google Maps', url: `https://www.google.com/maps/@${place.lat},${place.lng},15z` };
      }
      return { title: 'Used Maps', url: undefined };
    });
    return [
      listFile(ctx, path('Maps'), FORMAT, (_k, ms, rng) => {
        const entry = entries.pick(rng);
        const where = rng.chance(0.5) ? locations.pick(rng) : undefined;
        return activity('Maps', entry.title, entry.url, undefined, undefined, rfc3339(ms), products, undefined, WEB_AND_APP, where);
      }),
    ];
  },
};

const youtube: GroupSpec = {
  spanDays: 20,
  shape: 'list',
  files(ctx: GroupContext) {
    const channels = channelPool(ctx.userSeed);
    const watchable = videoPool(ctx.userSeed, channels);
    const videos = makePool(ctx.seed, watchable.length, (rng, i) => {
      const v = watchable.at(i);
      return {
        header: rng.chance(0.1) ? 'YouTube Music' : 'YouTube',
        title: `Watched ${v.title}`,
        url: v.url,
        subtitles: [{ name: v.channel.title, url: v.channel.url }],
      };
    });
    const searches = makePool(ctx.seed ^ 0x73656172, 256, (rng) => {
      const q = watchable.pick(rng).title.split(' ').slice(0, 3).join(' ').toLowerCase();
      return { title: `Searched for ${q}`, url: `https://www.youtube.com/results?search_query=${queryParam(q)}` };
    });
    const ads = makePool(ctx.seed ^ 0x61647376, 64, (rng) => {
      const id = rng.chars(BASE64URL, 11);
      return { title: `Watched ${rng.pick(PRODUCTS)} | ${rng.pick(MERCHANTS)}`, url: `https://www.youtube.com/watch?v=${id}` };
    });
    const products = deepFreeze(['YouTube'] as const);
    const adControls = deepFreeze(['YouTube watch history', 'Web & App Activity'] as const);
    return [
      listFile(ctx, path('YouTube'), FORMAT, (_k, ms, rng) => {
        const r = rng.float();
        if (r < 0.8) {
          const v = videos.pick(rng);
          return activity(v.header, v.title, v.url, v.subtitles, undefined, rfc3339(ms), products, undefined, WATCH_HISTORY, undefined);
        }
        if (r < 0.95) {
          const s = searches.pick(rng);
          return activity('YouTube', s.title, s.url, undefined, undefined, rfc3339(ms), products, undefined, YT_SEARCH_HISTORY, undefined);
        }
        const ad = ads.pick(rng);
        return activity('YouTube', ad.title, ad.url, undefined, undefined, rfc3339(ms), products, FROM_ADS, adControls, undefined);
      }),
    ];
  },
};

const play: GroupSpec = {
  spanDays: 180,
  shape: 'list',
  files(ctx: GroupContext) {
    const products = deepFreeze(['Google Play Store'] as const);
    const entries = makePool(ctx.seed, 512, (rng) => {
      const app = rng.pick(APPS);
      const url = `https://play.google.com/store/apps/details?id=${app.packageName}`;
      const r = rng.float();
      if (r < 0.55) return { title: `Used ${app.title}`, url, description: undefined };
      if (r < 0.75) return { title: `Installed ${app.title}`, url, description: undefined };
      if (r < 0.9) return { title: `Visited ${app.title}`, url, description: app.category };
      const q = app.title.split(/[ :]/)[0]!.toLowerCase();
      return { title: `Searched for ${q}`, url: `https://play.google.com/store/search?q=${queryParam(q)}`, description: undefined };
    });
    return [
      listFile(ctx, path('Google Play Store'), FORMAT, (_k, ms, rng) => {
        const e = entries.pick(rng);
        return activity('Google Play Store', e.title, e.url, undefined, e.description, rfc3339(ms), products, undefined, WEB_AND_APP, undefined);
      }),
    ];
  },
};

const shopping: GroupSpec = {
  spanDays: 120,
  shape: 'list',
  files(ctx: GroupContext) {
    const products = deepFreeze(['Shopping'] as const);
    const entries = makePool(ctx.seed, 512, (rng) => {
      const product = rng.pick(PRODUCTS);
      if (rng.chance(0.4)) {
        const q = product.toLowerCase();
        return { title: `Searched for ${q}`, url: `https://www.google.com/search?tbm=shop&q=${queryParam(q)}`, description: undefined };
      }
      const id = String(rng.next()) + String(rng.next());
      const price = euros(rng.between(499, 29999));
      return {
        title: `Viewed ${product}`,
        url: `https://www.google.com/shopping/product/${id}`,
        description: `${price} at ${rng.pick(MERCHANTS)}`,
      };
    });
    return [
      listFile(ctx, path('Shopping'), FORMAT, (_k, ms, rng) => {
        const e = entries.pick(rng);
        return activity('Shopping', e.title, e.url, undefined, e.description, rfc3339(ms), products, undefined, WEB_AND_APP, undefined);
      }),
    ];
  },
};

const AD_TOPICS = ['Travel', 'Running', 'Cooking', 'Consumer electronics', 'Gardening', 'Video games', 'Fashion', 'Banking'];

const myadcenter: GroupSpec = {
  spanDays: 365,
  shape: 'list',
  files(ctx: GroupContext) {
    const products = deepFreeze(['My Ad Center'] as const);
    const home = userProfile(ctx.userSeed).homeCity;
    const entries = makePool(ctx.seed, 256, (rng) => {
      const advertiser = rng.chance(0.5) ? rng.pick(MERCHANTS) : makePlace(rng, home).name;
      const r = rng.float();
      if (r < 0.45) return { title: `Saw an ad from ${advertiser}`, url: 'https://myadcenter.google.com/home', details: FROM_ADS };
      if (r < 0.6) return { title: `Liked an ad from ${advertiser}`, url: 'https://myadcenter.google.com/home', details: FROM_ADS };
      if (r < 0.75) return { title: `Blocked ads from ${advertiser}`, url: 'https://myadcenter.google.com/controls', details: undefined };
      if (r < 0.9) {
        return { title: `Chose to see fewer ads about ${rng.pick(AD_TOPICS)}`, url: 'https://myadcenter.google.com/customize', details: undefined };
      }
      return { title: 'Visited My Ad Center', url: 'https://myadcenter.google.com/home', details: undefined };
    });
    return [
      listFile(ctx, path('My Ad Center'), FORMAT, (_k, ms, rng) => {
        const e = entries.pick(rng);
        return activity('My Ad Center', e.title, e.url, undefined, undefined, rfc3339(ms), products, e.details, WEB_AND_APP, undefined);
      }),
    ];
  },
};

export const myActivityGroups: Readonly<Record<string, GroupSpec>> = {
  'myactivity.search': search,
  'myactivity.maps': maps,
  'myactivity.youtube': youtube,
  'myactivity.play': play,
  'myactivity.shopping': shopping,
  'myactivity.myadcenter': myadcenter,
};
