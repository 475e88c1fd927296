/**
 * The counts every page and live listener shows, held in memory and refreshed from the database once a second:
 * a crowd reloading the page costs no query, and a change made by any process (scaled mode) shows within a second.
 * Listeners hear about a petition at most once per refresh, which is what coalesces live updates to one a second.
 */
import type { Database } from '../../../db/database.ts';
import type { SwitchBoard } from '../../switches/index.ts';
import { readCounts } from './counters.ts';

export interface PetitionCount {
  total: number;
  byCountry: ReadonlyMap<string, number>;
  /** When this process last saw the count change; null while nothing has been counted. */
  updatedAt: string | null;
}

const EMPTY: PetitionCount = { total: 0, byCountry: new Map(), updatedAt: null };

export class CountBoard {
  private counts = new Map<number, PetitionCount>();
  private readonly listeners = new Set<(petitionIds: number[]) => void>();
  private readonly localListeners = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(
    private readonly db: Database,
    private readonly switches: SwitchBoard,
  ) {}

  count(petitionId: number): PetitionCount {
    return this.counts.get(petitionId) ?? EMPTY;
  }

  onChange(listener: (petitionIds: number[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(intervalMs = 1000): void {
    this.timer ??= setInterval(() => void this.refresh().catch(() => undefined), intervalMs).unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Reads the counts now. A call made while a read runs gets a read that starts after it (the running one may have
   * missed a commit the caller knows of); the calls in between share that one.
   */
  refresh(): Promise<void> {
    if (this.refreshing !== undefined) {
      this.queued ??= this.refreshing
        .catch(() => undefined)
        .then(() => {
          this.queued = undefined;
          return this.refresh();
        });
      return this.queued;
    }
    this.refreshing = this.load().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /** This process changed a count (a confirmation, a withdrawal): read now, and tell whoever listens (other processes). */
  changedHere(): void {
    void this.refresh().catch(() => undefined);
    for (const listener of this.localListeners) listener();
  }

  onChangedHere(listener: () => void): () => void {
    this.localListeners.add(listener);
    return () => this.localListeners.delete(listener);
  }

  private async load(): Promise<void> {
    // With counting paused, the numbers on every page stay where they are; signatures are still taken.
    if ((await this.switches.get()).countingPaused && this.counts.size > 0) return;
    const rows = await readCounts(this.db);
    const next = new Map<number, { total: number; byCountry: Map<string, number> }>();
    for (const row of rows) {
      const entry = next.get(row.petitionId) ?? { total: 0, byCountry: new Map<string, number>() };
      entry.total += row.count;
      if (row.count !== 0) entry.byCountry.set(row.country, row.count);
      next.set(row.petitionId, entry);
    }
    const now = new Date().toISOString();
    const changed: number[] = [];
    const counts = new Map<number, PetitionCount>();
    for (const [petitionId, entry] of next) {
      const before = this.counts.get(petitionId);
      const same = before !== undefined && before.total === entry.total && sameCountries(before.byCountry, entry.byCountry);
      counts.set(petitionId, same ? before : { ...entry, updatedAt: now });
      if (!same) changed.push(petitionId);
    }
    for (const petitionId of this.counts.keys()) if (!next.has(petitionId)) changed.push(petitionId);
    this.counts = counts;
    if (changed.length > 0) for (const listener of this.listeners) listener(changed);
  }
}

function sameCountries(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [country, n] of a) if (b.get(country) !== n) return false;
  return true;
}
