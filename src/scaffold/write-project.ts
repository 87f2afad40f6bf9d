import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CancelledError, UserError } from '../util/errors.js';

export type TargetState = 'missing' | 'empty' | 'not-empty';

/** What is at the target path now; a file there (not a folder) is a user mistake. */
export async function inspectTarget(target: string): Promise<TargetState> {
  let entries: string[];
  try {
    entries = await readdir(target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'missing';
    if (code === 'ENOTDIR') {
      // ENOTDIR also means a folder on the way is a file (`notes.txt/app`): say which.
      const isFile = await stat(target).then(
        (info) => info.isFile(),
        () => false,
      );
      if (!isFile) throw fsError(error, target);
      throw new UserError(`\`${target}\` exists and is a file, not a directory.`, 'Choose another project directory.');
    }
    throw fsError(error, target);
  }
  return entries.length === 0 ? 'empty' : 'not-empty';
}

/**
 * Writes the files into a temporary folder beside `target`, then moves them into place, so an
 * interruption or a failure never leaves a half-written project. With a non-empty target
 * (`--force`) only the template's own files are replaced; other files stay.
 */
export async function writeProject(
  target: string,
  files: ReadonlyMap<string, Buffer>,
  state: TargetState,
  signal: AbortSignal,
): Promise<void> {
  const parent = dirname(target);
  await ensureParent(parent);
  const staging = join(parent, `.${basename(target)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await mkdir(staging).catch((error: unknown) => {
      throw fsError(error, parent);
    });
    await writeFiles(staging, files, signal).catch((error: unknown) => {
      throw fsError(error, parent);
    });
    if (signal.aborted) throw new CancelledError('Cancelled: no project was written.');
    if (state === 'not-empty') {
      for (const path of files.keys()) {
        // eslint-disable-next-line no-await-in-loop -- parents before children; a handful of folders
        await mkdir(dirname(join(target, path)), { recursive: true })
          .then(() => rename(join(staging, path), join(target, path)))
          .catch((error: unknown) => {
            throw fsError(error, target);
          });
      }
    } else {
      if (state === 'empty') await rmdir(target);
      await rename(staging, target);
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Files written at once: each write is several trips to libuv's thread pool, in sequence they add up. */
const WRITE_CONCURRENCY = 8;

/** Writes `files` under `root` (folders first), a few at a time; stops at the first failure or when the signal aborts. */
async function writeFiles(root: string, files: ReadonlyMap<string, Buffer>, signal: AbortSignal): Promise<void> {
  const folders = [...new Set([...files.keys()].map((path) => dirname(join(root, path))))].sort();
  // eslint-disable-next-line no-await-in-loop -- each writer takes the next file when its last is written (WRITE_CONCURRENCY writers)
  for (const folder of folders) await mkdir(folder, { recursive: true });
  const pending = [...files];
  let failed = false;
  const writer = async (): Promise<void> => {
    for (let next = pending.shift(); next && !failed; next = pending.shift()) {
      if (signal.aborted) throw new CancelledError('Cancelled: no project was written.');
      // eslint-disable-next-line no-await-in-loop -- into a non-empty folder one file at a time, so a failure names the file
      await writeFile(join(root, next[0]), next[1]).catch((error: unknown) => {
        failed = true;
        throw error;
      });
    }
  };
  // allSettled: every write has ended before the caller removes the staging folder.
  const results = await Promise.allSettled(Array.from({ length: WRITE_CONCURRENCY }, writer));
  const rejected = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (rejected) throw rejected.reason;
}

async function ensureParent(parent: string): Promise<void> {
  try {
    const info = await stat(parent);
    if (!info.isDirectory()) throw new UserError(`Cannot create the project in \`${parent}\`: it is not a directory.`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw fsError(error, parent);
    await mkdir(parent, { recursive: true }).catch((mkdirError: unknown) => {
      throw fsError(mkdirError, parent);
    });
  }
}

/** Turns a file-system error into one line the user can act on. */
export function fsError(error: unknown, path: string): Error {
  if (error instanceof UserError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return new UserError(`Cannot write to \`${path}\`: permission denied.`, 'Choose a directory you can write to.');
    case 'EROFS':
      return new UserError(`Cannot write to \`${path}\`: the file system is read-only.`, 'Choose a directory on a writable disk.');
    case 'ENOSPC':
      return new UserError(`Cannot write to \`${path}\`: no space left on the device.`, 'Free some space and run the command again.');
    case 'ENOTDIR':
      return new UserError(`Cannot write to \`${path}\`: part of the path is a file, not a directory.`);
    default:
      return error instanceof Error ? error : new Error(String(error));
  }
}
