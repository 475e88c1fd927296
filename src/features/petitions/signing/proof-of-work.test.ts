import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isProofOfWorkValid, leadingZeroBits } from './proof-of-work.ts';

function solve(stamp: string, bits: number): string {
  for (let n = 0; ; n += 1) {
    if (leadingZeroBits(createHash('sha256').update(`${stamp}:${n}`).digest()) >= bits) return String(n);
  }
}

describe('proof of work', () => {
  it('counts leading zero bits', () => {
    expect(leadingZeroBits(Buffer.from([0, 0, 0x80]))).toBe(16);
    expect(leadingZeroBits(Buffer.from([0, 0x0f]))).toBe(12);
    expect(leadingZeroBits(Buffer.from([0xff]))).toBe(0);
  });

  it('accepts a real solution and refuses others', () => {
    const stamp = '1795599245027.abc';
    const solution = solve(stamp, 12);
    expect(isProofOfWorkValid(stamp, solution, 12)).toBe(true);
    expect(isProofOfWorkValid(`${stamp}x`, solution, 12)).toBe(false);
    expect(isProofOfWorkValid(stamp, 'abc', 12)).toBe(false);
    expect(isProofOfWorkValid(stamp, undefined, 12)).toBe(false);
  });
});
