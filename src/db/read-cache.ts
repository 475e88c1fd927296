/**
 * The records public pages read (a campaign, its petitions, its milestones) are what a crowd reloads: they are kept in
 * memory for two seconds, per database handle. Any committed write in this process clears them at once; writes from
 * another process (scaled mode) show within the two seconds. A miss is remembered too (an unknown slug), so a flood of
 * made-up addresses stays off the database.
 */
import type { Database } from './database.ts';

const TTL_MS = 2000;
const MAX_ENTRIES = 1000;

interface Entry<T> {
  value: T;
  expiresAt: number;
}

class ReadCache {
  private readonly entries = new Map<string, Entry<unknown>>();

  async get<T>(key: string, load: () => Promise<T>, now = Date.now()): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > now) return hit.value as T;
    const value = await load();
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, { value, expiresAt: now + TTL_MS });
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}

const caches = new WeakMap<Database, ReadCache>();

function cacheFor(db: Database): ReadCache {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new ReadCache()));
  return cache;
}

export function cachedRead<T>(db: Database, key: string, load: () => Promise<T>): Promise<T> {
  return cacheFor(db).get(key, load);
}

/** Call after any committed change to what public pages read. */
export function forgetCachedReads(db: Database): void {
  caches.get(db)?.clear();
}

/** Runs `run` in one transaction, then forgets this process's cached reads: what it changed is read afresh. */
export async function changeThenForget<T>(db: Database, run: (trx: Database) => Promise<T>): Promise<T> {
  const result = await db.transaction().execute(run);
  forgetCachedReads(db);
  return result;
}
