/**
 * A signed timestamp in each signing form. People take seconds to fill a form; scripts post at once. A missing,
 * forged or too-quick stamp does not refuse the signature: it marks it suspect, silently, for a moderator to review.
 */
import { constantTimeEqual, hmacBase64Url } from '../crypto/keys.ts';

const MIN_FILL_MS = 3000;

export function issueFormStamp(key: Buffer, now = Date.now()): string {
  return `${now}.${hmacBase64Url(key, String(now))}`;
}

export type StampVerdict = 'ok' | 'missing' | 'forged' | 'too-fast';

export function checkFormStamp(key: Buffer, stamp: unknown, now = Date.now()): StampVerdict {
  if (typeof stamp !== 'string' || stamp === '') return 'missing';
  const age = formStampAgeMs(key, stamp, now);
  if (age === undefined) return 'forged';
  return age < MIN_FILL_MS ? 'too-fast' : 'ok';
}

/** How long ago a genuine stamp was issued, or undefined for a missing, forged or future-dated one. */
export function formStampAgeMs(key: Buffer, stamp: unknown, now = Date.now()): number | undefined {
  if (typeof stamp !== 'string') return undefined;
  const match = /^(\d{13})\.([A-Za-z0-9_-]{43})$/.exec(stamp);
  if (!match || !constantTimeEqual(match[2]!, hmacBase64Url(key, match[1]!))) return undefined;
  const age = now - Number(match[1]);
  return age < -60_000 ? undefined : age;
}
