import { describe, expect, it } from 'vitest';
import {
  checkFormStamp,
  formStampAgeMs,
  isSharedStamp,
  issueFormStamp,
  MAX_STAMP_AGE_MS,
  SHARED_STAMP_WINDOW_MS,
  SharedFormStamp,
  SpentStamps,
  stampIssuedAt,
} from './form-stamp.ts';

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

  it('hands out one shared stamp per window for cached pages, marked shared under the HMAC', () => {
    const start = 1_800_000_000_000 - (1_800_000_000_000 % SHARED_STAMP_WINDOW_MS);
    const shared = new SharedFormStamp(KEY);
    const first = shared.stamp(start + 1000);
    expect(shared.stamp(start + SHARED_STAMP_WINDOW_MS - 1)).toBe(first);
    const next = shared.stamp(start + SHARED_STAMP_WINDOW_MS);
    expect(next).not.toBe(first);
    // Issued when the window's first page went out, so a person's pace is still measured from there.
    expect(stampIssuedAt(first)).toBe(start + 1000);
    expect(checkFormStamp(KEY, first, start + 6000)).toBe('ok');
    expect(isSharedStamp(first)).toBe(true);
    expect(isSharedStamp(issueFormStamp(KEY, start))).toBe(false);
    // Marking a visitor's own stamp shared, or unmarking a shared one, breaks its HMAC.
    const own = issueFormStamp(KEY, start);
    const [issued, mac] = [own.slice(0, own.lastIndexOf('.')), own.slice(own.lastIndexOf('.') + 1)];
    expect(formStampAgeMs(KEY, `${issued}.shared.${mac}`, start + 6000)).toBeUndefined();
    expect(formStampAgeMs(KEY, first.replace('.shared.', '.'), start + 6000)).toBeUndefined();
  });
});
