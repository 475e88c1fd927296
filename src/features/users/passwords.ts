import { hash, verify } from '@node-rs/argon2';

// OWASP's argon2id minimum (19 MiB, 2 passes): slow enough to hurt an offline guesser, fast enough for a login.
const ARGON2_OPTIONS = {
  algorithm: 2 /* Argon2id; the package's enum is a const enum TypeScript cannot import here */,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 1024;

/**
 * Hashes and verifies at once in this process. argon2 runs on libuv's thread pool (4 threads), which it shares with
 * the write-ahead log's fdatasync that every signing batch waits for: a flood of logins must never take it all.
 */
export const MAX_CONCURRENT_HASHES = 1;

/** A queue in front of work that may only run `limit` at a time: the rest start in the order they came. */
export function limitConcurrency(limit: number): <T>(work: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  };
  return async (work) => {
    if (running < limit) running += 1;
    // The slot is handed over by release() without being given up, so a newcomer cannot overtake the queue.
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await work();
    } finally {
      release();
    }
  };
}

const argon2Slot = limitConcurrency(MAX_CONCURRENT_HASHES);

export function hashPassword(password: string): Promise<string> {
  return argon2Slot(() => hash(password, ARGON2_OPTIONS));
}

let dummyHash: Promise<string> | undefined;

/** Verifies a password; with no stored hash it still spends the same time, so timing does not reveal accounts. */
export async function verifyPassword(storedHash: string | undefined, password: string): Promise<boolean> {
  dummyHash ??= hashPassword('outcry-dummy-password-for-timing');
  // Awaited before taking a slot: the dummy hash takes one of its own.
  const target = storedHash ?? (await dummyHash);
  try {
    const ok = await argon2Slot(() => verify(target, password));
    return ok && storedHash !== undefined;
  } catch {
    return false;
  }
}
