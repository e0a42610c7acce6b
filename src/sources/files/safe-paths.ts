import path from 'node:path';

/** Whether `candidate` is `root` itself or lies below it (both absolute and resolved). */
export function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * A user id becomes a folder name: it must be one plain path segment, or `../other-user` would read
 * someone else's files.
 */
export function isSafeSegment(value: string): boolean {
  return value.length > 0 && value !== '.' && value !== '..' && !/[/\\\0]/.test(value);
}
