import { describe, expect, it } from 'vitest';
import { checkFormStamp, issueFormStamp, MAX_STAMP_AGE_MS, SpentStamps, stampIssuedAt } from './form-stamp.ts';

const KEY = Buffer.alloc(32, 7);

describe('form stamps', () => {
  it('tells fresh, quick, expired, forged and missing stamps apart', () => {
    const now = 1_800_000_000_000;
    expect(checkFormStamp(KEY, issueFormStamp(KEY, now - 5000), now)).toBe('ok');
    expect(checkFormStamp(KEY, issueFormStamp(KEY, now - 1000), now)).toBe('too-fast');
    expect(checkFormStamp(KEY, issueFormStamp(KEY, now - MAX_STAMP_AGE_MS - 1), now)).toBe('expired');
    expect(checkFormStamp(Buffer.alloc(32, 8), issueFormStamp(KEY, now - 5000), now)).toBe('forged');
    expect(checkFormStamp(KEY, undefined, now)).toBe('missing');
    expect(stampIssuedAt(issueFormStamp(KEY, now))).toBe(now);
    // Two pages rendered in the same millisecond still carry different stamps.
    expect(issueFormStamp(KEY, now)).not.toBe(issueFormStamp(KEY, now));
  });

  it('lets each stamp through once, forgets only stamps that have expired, and says no when full of live ones', () => {
    const spent = new SpentStamps(2);
    const now = 1_800_000_000_000;
    expect(spent.use('a', now, now)).toBe(true);
    expect(spent.use('a', now, now)).toBe(false);
    expect(spent.use('b', now, now)).toBe(true);
    // Full of stamps that could still be replayed: none is dropped to make room.
    expect(spent.use('c', now, now)).toBe(false);
    expect(spent.use('a', now, now)).toBe(false);
    // Once they have expired they can pass as fresh no more, so they make room.
    const later = now + MAX_STAMP_AGE_MS + 1;
    expect(spent.use('c', later, later)).toBe(true);
    expect(spent.size).toBe(1);
  });
});
