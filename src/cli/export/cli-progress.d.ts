// The few parts of cli-progress 3.12 (no bundled types) that progress.ts uses.
declare module 'cli-progress' {
  interface Options {
    format?: string;
    stream?: NodeJS.WritableStream;
    clearOnComplete?: boolean;
    hideCursor?: boolean;
    autopadding?: boolean;
    etaBuffer?: number;
    fps?: number;
    barsize?: number;
    formatValue?: (value: number, options: unknown, type: string) => string;
  }
  class SingleBar {
    update(value: number, payload?: Record<string, unknown>): void;
    increment(step?: number, payload?: Record<string, unknown>): void;
    stop(): void;
  }
  class MultiBar {
    constructor(options: Options, preset?: unknown);
    create(total: number, startValue: number, payload?: Record<string, unknown>): SingleBar;
    remove(bar: SingleBar): boolean;
    log(text: string): void;
    stop(): void;
  }
  const Presets: { shades_classic: unknown; shades_grey: unknown; rect: unknown; legacy: unknown };
  export default { MultiBar, Presets };
  export { MultiBar, SingleBar, Presets };
}
