import { constants, type Dirent } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FilesFileDefinition, FilesSourceDefinition, GroupDefinition } from '../../catalog/index.js';
import { streamFailure } from '../retry.js';
import { PermanentSourceError, type ArchiveFile, type ExportRequest, type Source } from '../types.js';
import { isInside, isSafeSegment } from './safe-paths.js';

export interface FilesSourceOptions {
  readonly name: string;
  readonly definition: FilesSourceDefinition;
  readonly groups: readonly GroupDefinition[];
  readonly baseDir: string;
}

// File-system failures that may pass (a busy network share, too many open files); anything else is permanent.
const TRANSIENT_FS_CODES = new Set(['EBUSY', 'EMFILE', 'ENFILE', 'EAGAIN', 'EIO', 'ETIMEDOUT', 'ESTALE']);
const isTransient = (error: unknown) => TRANSIENT_FS_CODES.has(String((error as { code?: unknown })?.code));

/**
 * The `files` source: for each file entry of a group, the folder `root/<folder with {user_id}>` is copied
 * into the archive under `path`, every file as it is, in name order. Nothing outside the user's folder is
 * read: the user id must be one plain path segment, the user's folder must be a real folder (not a symbolic
 * link, which could point into another user's folder), a symbolic link below it is followed only when its target
 * stays inside the user's folder (links to folders are not followed, so a link loop cannot hang an export), and
 * a file with more than one hard link is skipped: a hard link looks like any other file, but its other name may
 * be outside the root, and nothing can tell which name came first.
 * For a group with time filters, a file is included when its modification time falls inside the window.
 */
export function createFilesSource(options: FilesSourceOptions): Source {
  const root = path.resolve(options.baseDir, options.definition.root);
  const groups = new Map(options.groups.map((g) => [g.name, g.files as FilesFileDefinition[]]));

  return {
    name: options.name,
    async *exportGroup(request: ExportRequest): AsyncGenerator<ArchiveFile> {
      const files = groups.get(request.group);
      if (!files) throw new PermanentSourceError(`files source "${options.name}" does not serve resource group ${request.group}`);
      if (!isSafeSegment(request.userId)) {
        throw new PermanentSourceError(`files source "${options.name}": user id ${JSON.stringify(request.userId)} cannot name a folder`);
      }
      const what = `${options.name}: files for ${request.group}`;
      let rootReal: string;
      try {
        rootReal = await realpath(root);
      } catch (error) {
        throw streamFailure(`${what}: root folder ${root}`, error, isTransient(error));
      }
      for (const file of files) {
        const folder = path.resolve(rootReal, file.folder.replaceAll('{user_id}', request.userId));
        if (!isInside(rootReal, folder)) throw new PermanentSourceError(`${what}: folder ${file.folder} leaves the source root`);
        let userDir: string;
        try {
          userDir = await realpath(folder);
        } catch (error) {
          if ((error as { code?: unknown }).code === 'ENOENT') continue; // this user has no such files
          throw streamFailure(what, error, isTransient(error));
        }
        if (!isInside(rootReal, userDir)) throw new PermanentSourceError(`${what}: folder ${file.folder} is a link out of the source root`);
        // A link inside the root may still lead into another user's folder (alice -> bob): the user's folder and
        // every folder on the way to it must be real folders.
        if (userDir !== folder) throw new PermanentSourceError(`${what}: folder ${file.folder} of this user is a symbolic link`);
        try {
          for await (const found of walk(userDir, userDir, request.signal)) {
            if (request.endTime && !(found.mtimeMs <= request.endTime.getTime() && found.mtimeMs >= (request.startTime?.getTime() ?? -Infinity))) continue;
            yield {
              kind: 'bytes',
              path: `${file.path}/${found.relative}`,
              content: readGuarded(found.absolute, what, request.signal),
            };
          }
        } catch (error) {
          if (request.signal.aborted) throw error;
          throw streamFailure(what, error, isTransient(error));
        }
      }
    },
  };
}

interface FoundFile {
  absolute: string;
  /** `/`-separated, relative to the user's folder. */
  relative: string;
  mtimeMs: number;
}

async function* walk(userDir: string, dir: string, signal: AbortSignal): AsyncGenerator<FoundFile> {
  const entries: Dirent[] = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    signal.throwIfAborted();
    const absolute = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      yield* walk(userDir, absolute, signal);
      continue;
    }
    let target = absolute;
    if (entry.isSymbolicLink()) {
      target = await realpath(absolute).catch(() => '');
      if (!target || !isInside(userDir, target)) continue;
    } else if (!entry.isFile()) {
      continue; // sockets, FIFOs, devices: not data
    }
    const info = await stat(target);
    if (!info.isFile() || info.nlink > 1) continue;
    yield { absolute: target, relative: path.relative(userDir, absolute).split(path.sep).join('/'), mtimeMs: info.mtimeMs };
  }
}

async function* readGuarded(file: string, what: string, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  try {
    // Checked again on the open file: the name found by the walk may have been replaced by a link since.
    const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
    const info = await handle.stat().catch(async (error: unknown) => {
      await handle.close();
      throw error;
    });
    if (!info.isFile() || info.nlink > 1) {
      await handle.close();
      throw new PermanentSourceError(`${what}: ${file} became a link while the export ran`);
    }
    for await (const chunk of handle.createReadStream({ signal })) yield chunk as Buffer;
  } catch (error) {
    if (signal.aborted) throw error;
    throw streamFailure(`${what}: ${file}`, error, isTransient(error));
  }
}
