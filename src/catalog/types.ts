/** One resource group: the unit a user consents to and a client asks to export. */
export interface ResourceGroup {
  /** Bare name used in request bodies, e.g. `myactivity.search`. */
  readonly name: string;
  /** Full OAuth scope URI that grants this group. */
  readonly scope: string;
  /** What the consent screen shows, e.g. "Move a copy of your Google Search activity". */
  readonly description: string;
  /** Whether `startTime`/`endTime` may be applied to this group. */
  readonly supportsTimeFilter: boolean;
  /** Name of the source that serves this group (`demo` for Google's catalog). */
  readonly source: string;
  /**
   * Google has withdrawn this group from its own catalog (its discovery document no longer lists the scope),
   * but Dataport keeps serving it so clients written against the older list still work.
   */
  readonly retired?: boolean;
}

export interface Catalog {
  readonly groups: readonly ResourceGroup[];
  get(name: string): ResourceGroup | undefined;
  /** The group a scope URI grants, if any. */
  byScope(scope: string): ResourceGroup | undefined;
}
