/** The time and one-shot timers that spacing logic runs on: the system's, unless a test brings its own. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Date.now and the global timers, looked up at each call (so fake timers installed later are honoured). */
export const SYSTEM_CLOCK: Clock = Object.freeze({
  now: () => Date.now(),
  setTimeout: (callback: () => void, ms: number) => setTimeout(callback, ms),
  clearTimeout: (handle: unknown) => clearTimeout(handle as NodeJS.Timeout),
});

const MINUTE_MS = 60_000;

/**
 * A time as stored beside a supporter's record: the minute it fell in. Millisecond times would let someone who saw a
 * connection at 12:03:07.412 pick out the one signature it made; nothing that reads these times needs more.
 */
export function coarseTimestamp(at: Date | number): string {
  const ms = typeof at === 'number' ? at : at.getTime();
  return new Date(Math.floor(ms / MINUTE_MS) * MINUTE_MS).toISOString();
}

/** The end of the minute `at` falls in: for times that bound a wait (an expiry, a re-send limit), never shortened. */
export function coarseTimestampAfter(at: Date | number): string {
  const ms = typeof at === 'number' ? at : at.getTime();
  return new Date(Math.ceil(ms / MINUTE_MS) * MINUTE_MS).toISOString();
}
