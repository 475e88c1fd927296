/**
 * The organisation's key pairs, as `outcry keys new` and `outcry keys list` handle them. A new pair's secret half goes
 * to a file for the organiser to carry away; only the public half is stored, and it becomes the key new supporter data
 * is sealed to. Web processes pick up a newly activated key within a few seconds (SupporterSealer re-reads it).
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { generateOrganisationKeyPair } from '../../crypto/hpke.ts';
import type { Database } from '../../db/database.ts';
import { writeKeyFile } from './key-file.ts';
import { activateOrganisationKey } from './queries.ts';

/** How long running web processes may keep sealing to the previous key (SupporterSealer's refresh interval). */
export const KEY_PICKUP_SECONDS = 5;

export interface NewOrganisationKey {
  keyId: string;
  /** Absolute path of the secret key file just written. */
  file: string;
  /** The key that was active before, if any: data sealed to it still needs that key's file. */
  previousKeyId: string | undefined;
  /** Set when the file was written inside the server's data folder, where it must not stay. */
  insideDataDir: boolean;
}

/**
 * Generates a key pair, writes the secret key file (mode 0600, never over an existing file), then activates the public
 * key. If activation fails, the file is removed again: nothing was ever sealed to it.
 */
export async function createOrganisationKey(db: Database, options: { out: string; dataDir?: string }): Promise<NewOrganisationKey> {
  const file = path.resolve(options.out);
  if (existsSync(file)) throw new Error(`${file} already exists. A key file is never overwritten: it may be the only copy of a key. Choose another name.`);
  const directory = path.dirname(file);
  if (!existsSync(directory) || !statSync(directory).isDirectory()) throw new Error(`The folder ${directory} does not exist.`);
  const previous = await db.selectFrom('organisation_keys').select('key_id').where('active', '=', 1).orderBy('id', 'desc').executeTakeFirst();
  const pair = await generateOrganisationKeyPair();
  try {
    writeKeyFile(file, pair);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(`${file} already exists. A key file is never overwritten. Choose another name.`);
    throw error;
  }
  try {
    await activateOrganisationKey(db, { keyId: pair.keyId, publicKey: pair.publicKey });
  } catch (error) {
    rmSync(file, { force: true });
    throw error;
  } finally {
    pair.secretKey.fill(0);
  }
  return {
    keyId: pair.keyId,
    file,
    previousKeyId: previous?.key_id,
    insideDataDir: options.dataDir !== undefined && isInside(file, path.resolve(options.dataDir)),
  };
}

function isInside(file: string, directory: string): boolean {
  const relative = path.relative(directory, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/** What `outcry keys new` tells the organiser: the key id, where the file is, and what to do with it. */
export function describeNewKey(key: NewOrganisationKey): string {
  const lines = [
    `Created organisation key ${key.keyId} and made it the active key.`,
    `The secret key is in ${key.file} (readable by you only).`,
    '',
    'IMPORTANT:',
    '  - Move this file off the server: keep it on an organiser’s own computer or an encrypted USB stick.',
    '    Anyone who holds both this file and a copy of the database can read every supporter’s name and email.',
    '  - Make a backup copy now, kept apart from the first. Without this file, signatures sealed to this key',
    '    can never be read again: the server holds no copy and cannot recover it.',
  ];
  if (key.insideDataDir) lines.push('  - This file is inside the server’s data folder (DATA_DIR). Move it out before anything else.');
  lines.push('');
  lines.push(`Running web processes start sealing new signatures to this key within ${KEY_PICKUP_SECONDS} seconds.`);
  if (key.previousKeyId) lines.push(`Signatures sealed earlier stay sealed to key ${key.previousKeyId}: keep that key’s file to export them.`);
  return `${lines.join('\n')}\n`;
}

export interface OrganisationKeyListing {
  keyId: string;
  active: boolean;
  createdAt: string;
  /** When a sealing window last used this key, if ever: data sealed to it needs this key's file. */
  lastUsedAt: string | null;
}

export async function listOrganisationKeys(db: Database): Promise<OrganisationKeyListing[]> {
  const keys = await db.selectFrom('organisation_keys').select(['key_id', 'active', 'created_at']).orderBy('id').execute();
  const used = await db
    .selectFrom('sealing_windows')
    .select(['key_id', (eb) => eb.fn.max('created_at').as('last_used')])
    .groupBy('key_id')
    .execute();
  const lastUsed = new Map(used.map((row) => [row.key_id, row.last_used === null ? null : toIso(row.last_used)]));
  return keys.map((row) => ({ keyId: row.key_id, active: row.active === 1, createdAt: toIso(row.created_at), lastUsedAt: lastUsed.get(row.key_id) ?? null }));
}

function toIso(value: unknown): string {
  return value instanceof Date ? value.toISOString() : String(value);
}

export function formatKeyList(keys: OrganisationKeyListing[]): string {
  if (keys.length === 0) return 'No organisation key yet: create one with `outcry keys new --out FILE`. Until then nobody can sign.\n';
  const rows = [['KEY ID', 'ACTIVE', 'CREATED', 'LAST USED'], ...keys.map((k) => [k.keyId, k.active ? 'yes' : 'no', k.createdAt, k.lastUsedAt ?? 'never'])];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return `${rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}
