/**
 * Authenticator-app codes (RFC 6238: six digits, 30-second steps, SHA-1, as every app expects). A code is accepted
 * one step early or late for clock drift, and never for a step at or before the last one accepted: a code seen over a
 * shoulder or in a phishing proxy's log cannot be used again.
 */
import { Secret, TOTP } from 'otpauth';

const PERIOD_SECONDS = 30;

function totpFor(secretBase32: string, account = '', issuer = 'Outcry'): TOTP {
  return new TOTP({ issuer, label: account, algorithm: 'SHA1', digits: 6, period: PERIOD_SECONDS, secret: Secret.fromBase32(secretBase32) });
}

/** A new 160-bit secret, in the base32 that authenticator apps take. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The `otpauth://` address an app reads from the QR code: it names the site and the account. */
export function totpSetupUri(secretBase32: string, account: string, issuer: string): string {
  return totpFor(secretBase32, account, issuer).toString();
}

/** The base32 secret in groups of four, for typing into an app by hand. */
export function groupedSecret(secretBase32: string): string {
  return secretBase32.replace(/(.{4})(?=.)/g, '$1 ');
}

/** What a person typed, if it is shaped like a code: six digits, spaces and dashes ignored. */
export function asTotpCode(input: string): string | undefined {
  const digits = input.replace(/[\s-]/g, '');
  return /^\d{6}$/.test(digits) ? digits : undefined;
}

/** The step the code belongs to, or undefined when it is wrong or its step was already used. */
export function acceptTotpCode(secretBase32: string, code: string, lastStep: number | null, now: Date): number | undefined {
  const delta = totpFor(secretBase32).validate({ token: code, timestamp: now.getTime(), window: 1 });
  if (delta === null) return undefined;
  const step = Math.floor(now.getTime() / 1000 / PERIOD_SECONDS) + delta;
  return lastStep !== null && step <= lastStep ? undefined : step;
}
