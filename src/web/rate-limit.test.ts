import { describe, expect, it } from 'vitest';
import { TokenBucketLimiter } from './rate-limit.ts';

describe('TokenBucketLimiter', () => {
  it('allows a burst up to capacity, then refills over time', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ capacity: 3, refillPerSecond: 1 }, () => now);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([true, true, true, false]);
    expect(limiter.take('b')).toBe(true);
    now += 1000;
    expect(limiter.take('a')).toBe(true);
    expect(limiter.take('a')).toBe(false);
  });

  it('refunds and resets', () => {
    const limiter = new TokenBucketLimiter({ capacity: 1, refillPerSecond: 0.001 }, () => 0);
    expect(limiter.take('a')).toBe(true);
    limiter.refund('a');
    expect(limiter.take('a')).toBe(true);
    expect(limiter.take('a')).toBe(false);
    limiter.reset('a');
    expect(limiter.take('a')).toBe(true);
  });

  it('never tracks more keys than its bound', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ capacity: 1, refillPerSecond: 1, maxKeys: 100 }, () => now);
    for (let i = 0; i < 1000; i += 1) {
      limiter.take(`key-${i}`);
      now += 1;
    }
    expect((limiter as unknown as { buckets: Map<string, unknown> }).buckets.size).toBeLessThanOrEqual(100);
  });
});
