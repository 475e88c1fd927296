/**
 * A clock that moves only when the test moves it, for code that takes one (the live hub, the count change listener):
 * `now()` stands still, and a timer fires only when `advance()` passes its due time, with `now()` reading that time.
 * Unlike vi.useFakeTimers(), it leaves the real timers alone, so sockets and database pools keep working around it.
 */
import type { Clock } from '../../src/clock.ts';

export class ManualClock implements Clock {
  private current: number;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): number {
    const id = this.nextId++;
    this.timers.set(id, { at: this.current + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** When the timers still waiting are due, earliest first. */
  get pending(): number[] {
    return [...this.timers.values()].map((t) => t.at).sort((a, b) => a - b);
  }

  /** Moves time on by `ms`, firing every timer due on the way, in order, each at its own due time. */
  advance(ms: number): void {
    const end = this.current + ms;
    for (;;) {
      let next: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.timers.delete(next[0]);
      this.current = next[1].at;
      next[1].callback();
    }
    this.current = end;
  }
}
