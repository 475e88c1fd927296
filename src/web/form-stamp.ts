/**
 * A signed timestamp in each public form. People take seconds to fill a form; scripts post at once, or post one
 * scraped stamp again and again. A missing, forged, too quick, expired or reused stamp does not refuse a submission:
 * it is a signal that the feature weighs (petitions/suspect-reasons.ts), silently. A page no cache keeps carries a
 * visitor's own stamp; a page a shared cache keeps carries a shared one, which the page's script swaps for the
 * visitor's own as soon as they start on the form.
 */
import { constantTimeEqual, hmacBase64Url } from '../crypto/keys.ts';
import { pooledRandomBytes } from '../crypto/random.ts';

const MIN_FILL_MS = 3000;
/** A form left open longer than this is sent with an expired stamp (a weak signal: someone came back to a tab). */
export const MAX_STAMP_AGE_MS = 2 * 60 * 60 * 1000;

/**
 * `<ms>.<nonce>.<hmac>`: a visitor's own stamp, for a page no cache keeps (spent once). The nonce makes two pages
 * rendered in the same millisecond carry different stamps.
 */
export function issueFormStamp(key: Buffer, now = Date.now()): string {
  const issued = `${now}.${pooledRandomBytes(9).toString('base64url')}`;
  return `${issued}.${hmacBase64Url(key, issued)}`;
}

/** How long one shared stamp is handed out: a public page's s-maxage, so a cached copy and a fresh one agree. */
export const SHARED_STAMP_WINDOW_MS = 10_000;

/**
 * `<ms>.<nonce>.shared.<hmac>`: the stamp in a page a shared cache keeps, the same for everyone who gets that copy.
 * The mark is inside what the HMAC covers, so a shared stamp cannot pass for a visitor's own.
 */
function issueSharedFormStamp(key: Buffer, now: number): string {
  const issued = `${now}.${pooledRandomBytes(9).toString('base64url')}.shared`;
  return `${issued}.${hmacBase64Url(key, issued)}`;
}

/** True for a shared stamp (only meaningful for a genuine one). */
export function isSharedStamp(stamp: string): boolean {
  return stamp.endsWith('.shared', stamp.lastIndexOf('.'));
}

/**
 * One shared stamp per window, issued by the first page of the window: every response in it is the same bytes, and
 * a stamp is never older than its window when a page goes out, so "too fast" and "expired" keep their meaning.
 */
export class SharedFormStamp {
  private current: { window: number; stamp: string } | undefined;

  constructor(private readonly key: Buffer) {}

  stamp(now = Date.now()): string {
    const window = Math.floor(now / SHARED_STAMP_WINDOW_MS);
    if (this.current?.window !== window) this.current = { window, stamp: issueSharedFormStamp(this.key, now) };
    return this.current.stamp;
  }
}

export type StampVerdict = 'ok' | 'missing' | 'forged' | 'too-fast' | 'expired';

export function checkFormStamp(key: Buffer, stamp: unknown, now = Date.now()): StampVerdict {
  return stampVerdict(stamp, formStampAgeMs(key, stamp, now));
}

/** The verdict on a stamp whose age formStampAgeMs has already found (so the HMAC is checked once). */
export function stampVerdict(stamp: unknown, age: number | undefined): StampVerdict {
  if (typeof stamp !== 'string' || stamp === '') return 'missing';
  if (age === undefined) return 'forged';
  if (age > MAX_STAMP_AGE_MS) return 'expired';
  return age < MIN_FILL_MS ? 'too-fast' : 'ok';
}

/** How long ago a genuine stamp was issued, or undefined for a missing, forged or future-dated one. */
export function formStampAgeMs(key: Buffer, stamp: unknown, now = Date.now()): number | undefined {
  if (typeof stamp !== 'string') return undefined;
  const match = /^((\d{13})\.[A-Za-z0-9_-]{12}(?:\.shared)?)\.([A-Za-z0-9_-]{43})$/.exec(stamp);
  if (!match || !constantTimeEqual(match[3]!, hmacBase64Url(key, match[1]!))) return undefined;
  const age = now - Number(match[2]);
  return age < -60_000 ? undefined : age;
}

const MAX_REMEMBERED = 200_000;

/**
 * Stamps already used, in this process's memory, each until it expires (after which it can pass as fresh no more).
 * Entries are never dropped while they could still be replayed: when the store is full of live stamps, `use` says no,
 * so under a flood beyond its size a stamp counts as reused (a signal, weighed) rather than as fresh.
 */
export class SpentStamps {
  private readonly spent = new Map<string, number>();

  constructor(private readonly capacity = MAX_REMEMBERED) {}

  /** True the first time a stamp issued at `issuedAt` is used. */
  use(stamp: string, issuedAt: number, now = Date.now()): boolean {
    if (this.spent.has(stamp)) return false;
    if (this.spent.size >= this.capacity) this.forgetExpired(now);
    if (this.spent.size >= this.capacity) return false;
    this.spent.set(stamp, issuedAt + MAX_STAMP_AGE_MS);
    return true;
  }

  get size(): number {
    return this.spent.size;
  }

  private forgetExpired(now: number): void {
    for (const [stamp, expiresAt] of this.spent) if (expiresAt <= now) this.spent.delete(stamp);
  }
}

/** When a stamp says it was issued (only meaningful for a genuine one). */
export function stampIssuedAt(stamp: string): number {
  return Number(stamp.slice(0, stamp.indexOf('.')));
}
