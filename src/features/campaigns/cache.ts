/**
 * Public campaign pages are what a crowd reloads. Their records (campaign, petitions) are kept in memory for two seconds, per
 * database handle: writes in this process clear it at once; writes from another process (scaled mode) show
 * within the two seconds. Unknown slugs are remembered too, so a flood of made-up addresses stays off the database.
 */
import type { Database } from '../../db/database.ts';

const TTL_MS = 2000;
const MAX_ENTRIES = 1000;

interface Entry<T> {
  value: T;
  expiresAt: number;
}

class CampaignCache {
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

const caches = new WeakMap<Database, CampaignCache>();

function cacheFor(db: Database): CampaignCache {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new CampaignCache()));
  return cache;
}

export function cachedCampaignLookup<T>(db: Database, key: string, load: () => Promise<T>): Promise<T> {
  return cacheFor(db).get(key, load);
}

/** Call after any committed change to campaigns. */
export function forgetCachedCampaigns(db: Database): void {
  caches.get(db)?.clear();
}
