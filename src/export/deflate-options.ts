/**
 * zlib's largest hash table (memLevel 9, default 8): the same level and format, ~4 % less deflate CPU and a
 * slightly smaller archive on the demo's My Activity JSON (bench/README.md, round 6), for 256 KiB more
 * memory per deflate stream. Every deflate call of an export uses it, the worker threads' too.
 */
export const DEFLATE_MEM_LEVEL = 9;
