// node-pg's own value preparation, which @types/pg does not describe: the text the driver sends for a bound value.
declare module 'pg/lib/utils.js' {
  const utils: { prepareValue(value: unknown): string | Buffer | null };
  export default utils;
}
