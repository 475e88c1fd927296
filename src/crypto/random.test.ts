import { describe, expect, it } from 'vitest';
import { pooledRandomBytes } from './random.ts';

describe('pooledRandomBytes', () => {
  it('hands out the size asked for, never the same bytes twice, across many refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i += 1) {
      const bytes = pooledRandomBytes(12 + (i % 53));
      expect(bytes).toHaveLength(12 + (i % 53));
      const hex = bytes.toString('hex');
      expect(seen.has(hex)).toBe(false);
      seen.add(hex);
    }
  });

  it('draws large sizes directly', () => {
    expect(pooledRandomBytes(5000)).toHaveLength(5000);
  });

  it('gives bytes that look uniform (each byte value about equally often)', () => {
    const counts = new Array<number>(256).fill(0);
    for (let i = 0; i < 4000; i += 1) for (const byte of pooledRandomBytes(64)) counts[byte]! += 1;
    const expected = (4000 * 64) / 256;
    for (const count of counts) expect(Math.abs(count - expected)).toBeLessThan(expected * 0.25);
  });
});
