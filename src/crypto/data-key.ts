/**
 * Short-lived secrets the server itself must read back (an address waiting in the mail queue) are encrypted with the
 * server's data key, derived from SECRET_KEY. This is not protection from someone who holds the running server; it
 * keeps such values out of database copies and backups, and the rows are deleted once their job is done.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { pooledRandomBytes } from './random.ts';

export function encryptForServer(key: Buffer, plaintext: string): string {
  const nonce = pooledRandomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64url');
}

export function decryptForServer(key: Buffer, sealed: string): string {
  const bytes = Buffer.from(sealed, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
  decipher.setAuthTag(bytes.subarray(bytes.length - 16));
  return Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]).toString('utf8');
}
