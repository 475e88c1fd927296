/**
 * One-time recovery codes, for an organiser who has lost their phone or security key. Ten random codes of 50 bits,
 * in an alphabet without look-alike characters; the database keeps only an HMAC of each (they are random, so a slow
 * hash would add nothing), and a used code is marked, never accepted again.
 */
import { randomInt } from 'node:crypto';
import { hmacBase64Url } from '../../../crypto/keys.ts';

export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = '23456789abcdefghjkmnpqrstuvwxyz';
const GROUP = 5;

export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = Array.from({ length: GROUP * 2 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    return `${chars.slice(0, GROUP)}-${chars.slice(GROUP)}`;
  });
}

/** What a person typed, if it is shaped like a recovery code: case, spaces and dashes do not matter. */
export function asRecoveryCode(input: string): string | undefined {
  const chars = input.toLowerCase().replace(/[\s-]/g, '');
  if (chars.length !== GROUP * 2 || [...chars].some((c) => !ALPHABET.includes(c))) return undefined;
  return `${chars.slice(0, GROUP)}-${chars.slice(GROUP)}`;
}

export function hashRecoveryCode(key: Buffer, code: string): string {
  return hmacBase64Url(key, code);
}
