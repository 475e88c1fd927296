/**
 * Every server-side key is derived from the one SECRET_KEY with HKDF and a purpose label, so rotating the secret
 * rotates them all and no two purposes ever share a key.
 */
import { createHmac, hash, hkdfSync, timingSafeEqual } from 'node:crypto';

export type KeyPurpose =
  | 'csrf'
  | 'login-throttle'
  | 'signature-pepper'
  | 'form-timestamp'
  | 'data-key'
  | 'withdraw-link'
  | 'totp-secret'
  | 'totp-enrolment'
  | 'recovery-code'
  | 'letter-signatory-pepper'
  | 'intake-codename-pepper';

export function deriveKey(secret: Buffer, purpose: KeyPurpose): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), `outcry:${purpose}`, 32));
}

export function hmacBase64Url(key: Buffer, message: string): string {
  return createHmac('sha256', key).update(message).digest('base64url');
}

export function sha256Hex(value: string): string {
  return hash('sha256', value, 'hex');
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
