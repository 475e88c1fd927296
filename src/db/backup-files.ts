/**
 * A backup file appears whole or not at all: it is written to a temporary file in the target's own folder (a rename
 * never crosses filesystems), flushed, then renamed onto the target, and the folder is flushed so the rename survives
 * a power cut. It is created 0600: it holds everything the database holds.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

/** Checks that `out` can be written and returns its absolute path; `refused` are files it must not replace. */
export function checkBackupTarget(out: string, refused: readonly string[] = []): string {
  const target = path.resolve(out);
  const folder = path.dirname(target);
  if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory()) throw new Error('The folder of --out does not exist: create it first.');
  if (statSync(target, { throwIfNoEntry: false })?.isDirectory()) throw new Error('--out names a folder: give the name of the file to write.');
  const real = path.join(realpathSync(folder), path.basename(target));
  if (refused.some((file) => path.resolve(file) === real || path.resolve(file) === target)) {
    throw new Error('--out names the live database or its log: write the backup elsewhere, ideally on another disk.');
  }
  return target;
}

/** Creates an empty 0600 file beside `target`, for the copy to be written into. */
export function reserveTempBeside(target: string): string {
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.partial`);
  closeSync(openSync(temp, 'wx', 0o600));
  return temp;
}

/** Flushes `temp` and renames it onto `target`; on any failure `temp` is removed and `target` left as it was. */
export function moveIntoPlace(temp: string, target: string): void {
  try {
    flushFile(temp);
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  flushFile(path.dirname(target));
}

/** fsync of a file or a folder (Linux flushes a folder's entries through a read-only descriptor). */
export function flushFile(file: string): void {
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
