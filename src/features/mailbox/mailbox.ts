/**
 * The development mailbox: the .eml files the mailer writes into <DATA_DIR>/mail/ when no SMTP server is set.
 * A file is read only if its name has the mailer's strict shape, it is listed in that folder, and it is a regular
 * file (never a link): no name from a request ever reaches the file system otherwise.
 */
import { constants } from 'node:fs';
import { lstat, open, readdir, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../errors.ts';
import { parseMail, parseMailHeaders, type MailSummaryHeaders, type ParsedMail } from './eml.ts';

/** What the mailer names its files: an ISO timestamp with ':' and '.' replaced, a random suffix, ".eml". */
export const MAIL_FILE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{0,119}\.eml$/;
/** The list reads only this much of each file: the headers are at the start. */
const HEADER_BYTES = 64 * 1024;
/** A message is shown up to this size; the rest is cut off (the mailer's messages are a few kilobytes). */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

export interface MailSummary extends MailSummaryHeaders {
  name: string;
  size: number;
}

export interface MailMessage extends ParsedMail {
  name: string;
  size: number;
  truncated: boolean;
}

async function mailFileNames(folder: string): Promise<string[]> {
  try {
    return (await readdir(folder)).filter((name) => MAIL_FILE_PATTERN.test(name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Opens a regular file without following a link, and reads up to `limit` bytes of it. */
async function readRegularFile(file: string, limit: number): Promise<{ bytes: Buffer; size: number } | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ELOOP' || code === 'EISDIR') return undefined;
    throw error;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return undefined;
    const buffer = Buffer.alloc(Math.min(limit, stats.size));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return { bytes: buffer.subarray(0, bytesRead), size: stats.size };
  } finally {
    await handle.close();
  }
}

/**
 * The newest `limit` messages, newest first, and how many mail files there are in all. The mailer's names begin with
 * the time they were written, so sorting the names sorts the mail, and only the page shown is opened (a load test
 * can leave many thousands of files).
 */
export async function listMail(folder: string, options: { limit: number }): Promise<{ messages: MailSummary[]; total: number }> {
  const names = (await mailFileNames(folder)).sort().reverse();
  const messages: MailSummary[] = [];
  let skipped = 0;
  for (const name of names) {
    if (messages.length >= options.limit) break;
    const read = await readRegularFile(path.join(folder, name), HEADER_BYTES);
    if (read) messages.push({ name, size: read.size, ...parseMailHeaders(read.bytes) });
    else skipped += 1;
  }
  return { messages, total: names.length - skipped };
}

/** One message by its file name, or a 404 for any name that is not exactly a mail file in the folder. */
export async function readMail(folder: string, name: string): Promise<MailMessage> {
  const notFound = () => new AppError('not_found', 'No such message');
  if (!MAIL_FILE_PATTERN.test(name)) throw notFound();
  // The name must be one the folder lists, compared as a whole string: no path is built from anything else.
  const listed = (await mailFileNames(folder)).find((candidate) => candidate === name);
  if (listed === undefined) throw notFound();
  const read = await readRegularFile(path.join(folder, listed), MAX_MESSAGE_BYTES);
  if (!read) throw notFound();
  return { name: listed, size: read.size, truncated: read.size > read.bytes.length, ...parseMail(read.bytes) };
}

/** How long a written mail is kept: long enough to try Outcry out, short enough not to become a list of addresses. */
export const MAIL_RETENTION_MS = 24 * 60 * 60 * 1000;

/** Deletes the mailer's files older than `retentionMs` (by modification time); returns how many. */
export async function deleteOldMail(folder: string, options: { retentionMs: number; now?: number }): Promise<number> {
  const cutoff = (options.now ?? Date.now()) - options.retentionMs;
  let deleted = 0;
  for (const name of await mailFileNames(folder)) {
    const file = path.join(folder, name);
    const stats = await lstat(file).catch(() => undefined);
    if (!stats?.isFile() || stats.mtimeMs >= cutoff) continue;
    await rm(file, { force: true });
    deleted += 1;
  }
  return deleted;
}
