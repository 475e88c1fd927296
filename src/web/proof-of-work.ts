/**
 * A small proof-of-work puzzle tied to a signed form stamp: find n such that SHA-256("<stamp>:<n>") starts with
 * POW_BITS zero bits. A browser solves it in about a second (client/proof-of-work.ts); a script sending thousands of
 * forms pays that second each time. The forms that use it (petitions, intake) decide what a form without one gets.
 */
import { createHash } from 'node:crypto';

export const POW_BITS = 16;

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
