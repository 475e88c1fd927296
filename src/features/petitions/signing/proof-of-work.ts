/**
 * The "require proof of work" kill switch. Each signing form's signed timestamp is also a puzzle: find a number n such
 * that SHA-256("<stamp>:<n>") starts with POW_BITS zero bits. A browser with JavaScript solves it in about a second;
 * a script signing thousands of times pays that second each time. Each solved stamp is accepted once per process.
 * Without JavaScript, a person who waits (see MIN_WAIT_WITHOUT_PROOF_MS) is still accepted, marked for review.
 */
import { createHash } from 'node:crypto';

export const POW_BITS = 16;
/** How long a form must have been open before it may be sent without a proof (and then only marked suspect). */
export const MIN_WAIT_WITHOUT_PROOF_MS = 20_000;
const USED_TTL_MS = 24 * 60 * 60 * 1000;
const MAX_USED = 200_000;

export function leadingZeroBits(digest: Buffer): number {
  let bits = 0;
  for (const byte of digest) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

export function isProofOfWorkValid(stamp: unknown, solution: unknown, bits = POW_BITS): boolean {
  if (typeof stamp !== 'string' || typeof solution !== 'string' || !/^\d{1,12}$/.test(solution)) return false;
  return leadingZeroBits(createHash('sha256').update(`${stamp}:${solution}`).digest()) >= bits;
}

/** Solved stamps seen recently, so one solution cannot be replayed for many signatures. In memory only. */
export class UsedProofs {
  private readonly seen = new Map<string, number>();

  /** True the first time a stamp is used. */
  use(stamp: string, now = Date.now()): boolean {
    if (this.seen.has(stamp)) return false;
    if (this.seen.size >= MAX_USED) {
      for (const [key, at] of this.seen) {
        if (now - at < USED_TTL_MS && this.seen.size < MAX_USED) break;
        this.seen.delete(key);
      }
    }
    this.seen.set(stamp, now);
    return true;
  }
}
