/**
 * The "require proof of work" kill switch. Each signing form's signed timestamp is also a puzzle: find a number n such
 * that SHA-256("<stamp>:<n>") starts with POW_BITS zero bits. A browser with JavaScript solves it in about a second;
 * a script signing thousands of times pays that second each time. Each stamp signs once (SpentStamps).
 * Without JavaScript, a person who waits (see MIN_WAIT_WITHOUT_PROOF_MS) is still accepted, marked for review.
 */
import { createHash } from 'node:crypto';

export const POW_BITS = 16;
/** How long a form must have been open before it may be sent without a proof (and then only marked suspect). */
export const MIN_WAIT_WITHOUT_PROOF_MS = 20_000;

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
