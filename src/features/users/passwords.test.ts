import { afterEach, describe, expect, it, vi } from 'vitest';

/** argon2 replaced by calls the test finishes by hand, so what runs at once is seen without any timing. */
const argon2 = vi.hoisted(() => {
  const calls: Array<{ kind: 'hash' | 'verify'; input: string; finish: () => void; fail: () => void }> = [];
  let running = 0;
  let peak = 0;
  const call = <T>(kind: 'hash' | 'verify', input: string, value: T) =>
    new Promise<T>((resolve, reject) => {
      running += 1;
      peak = Math.max(peak, running);
      const settle = (then: () => void) => () => {
        running -= 1;
        then();
      };
      calls.push({ kind, input, finish: settle(() => resolve(value)), fail: settle(() => reject(new Error('invalid hash'))) });
    });
  return {
    calls,
    peak: () => peak,
    running: () => running,
    hash: (password: string) => call('hash', password, `hashed:${password}`),
    verify: (stored: string, password: string) => call('verify', password, stored === `hashed:${password}`),
  };
});

vi.mock('@node-rs/argon2', () => ({ hash: argon2.hash, verify: argon2.verify }));

const { hashPassword, limitConcurrency, MAX_CONCURRENT_HASHES, verifyPassword } = await import('./passwords.ts');

/** Lets every promise that can settle now settle. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('argon2 concurrency', () => {
  afterEach(() => {
    argon2.calls.length = 0;
  });

  it('leaves most of the thread pool to the write-ahead log', () => {
    expect(MAX_CONCURRENT_HASHES).toBeGreaterThanOrEqual(1);
    expect(MAX_CONCURRENT_HASHES).toBeLessThanOrEqual(2);
  });

  it(`runs at most ${MAX_CONCURRENT_HASHES} hash or verify at once, and the rest in the order they came`, async () => {
    const passwords = ['one', 'two', 'three', 'four', 'five', 'six'].map((word) => `${word} long password`);
    const results = [
      hashPassword('a new long password'),
      ...passwords.map((password, i) => verifyPassword(i % 2 === 0 ? `hashed:${password}` : 'hashed:something else', password)),
      // An unknown account: the dummy hash, then a verify, both in the queue.
      verifyPassword(undefined, 'no such account password'),
    ];
    const order: string[] = [];
    for (let finished = 0; finished < 9; finished += 1) {
      await settle();
      expect(argon2.running()).toBeLessThanOrEqual(MAX_CONCURRENT_HASHES);
      const next = argon2.calls[finished];
      expect(next, `call ${finished + 1} never started`).toBeDefined();
      order.push(`${next!.kind} ${next!.input}`);
      next!.finish();
    }
    expect(await Promise.all(results)).toEqual(['hashed:a new long password', true, false, true, false, true, false, false]);
    expect(argon2.peak()).toBe(MAX_CONCURRENT_HASHES);
    expect(order).toEqual([
      'hash a new long password',
      // The first verify asks for the dummy hash once, for every unknown account to come.
      'hash outcry-dummy-password-for-timing',
      ...passwords.map((password) => `verify ${password}`),
      'verify no such account password',
    ]);
  });

  it('gives the slot back when argon2 fails', async () => {
    const first = verifyPassword('not a hash', 'a long password one');
    const second = verifyPassword('hashed:a long password two', 'a long password two');
    await settle();
    expect(argon2.calls).toHaveLength(1);
    argon2.calls[0]!.fail();
    await settle();
    expect(argon2.calls).toHaveLength(2);
    argon2.calls[1]!.finish();
    expect(await Promise.all([first, second])).toEqual([false, true]);
  });
});

describe('limitConcurrency', () => {
  it('starts queued work in the order it came, as slots free up', async () => {
    const run = limitConcurrency(2);
    const started: number[] = [];
    const finishers: Array<() => void> = [];
    const task = (n: number) => () =>
      new Promise<number>((resolve) => {
        started.push(n);
        finishers.push(() => resolve(n));
      });
    const all = [1, 2, 3, 4].map((n) => run(task(n)));
    await settle();
    expect(started).toEqual([1, 2]);
    finishers[0]!();
    // Arrives while 3 and 4 wait: it starts after them.
    all.push(run(task(5)));
    await settle();
    expect(started).toEqual([1, 2, 3]);
    for (let i = 1; i < 5; i += 1) {
      finishers[i]!();
      await settle();
    }
    expect(started).toEqual([1, 2, 3, 4, 5]);
    expect(await Promise.all(all)).toEqual([1, 2, 3, 4, 5]);
  });
});
