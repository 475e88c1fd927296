/**
 * Sealing supporter data to the organisation's public key (HPKE, RFC 9180, DHKEM(X25519, HKDF-SHA256)).
 *
 * An HPKE sender setup costs about a millisecond; a signature must cost microseconds. So the server sets up one
 * sender context per short window, stores its encapsulated key once, derives the window's AES-256-GCM key with
 * the HPKE exporter, and seals each record under that key with a nonce of its own. Any record opens alone with the
 * organisation's secret key (enc + secret key -> exporter -> window key). The window key is dropped when the window
 * closes, so a server seized later holds nothing that opens what it sealed before.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { CipherSuite, DhkemX25519HkdfSha256, ExportOnly, HkdfSha256 } from '@hpke/core';
import { pooledRandomBytes } from './random.ts';

const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new ExportOnly() });
const INFO = new TextEncoder().encode('outcry supporter data v1');
const EXPORTER_CONTEXT = new TextEncoder().encode('outcry window key').buffer as ArrayBuffer;
const RECORD_VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface OrganisationKeyPair {
  keyId: string;
  publicKey: Buffer;
  secretKey: Buffer;
}

export function keyIdOf(publicKey: Buffer): string {
  return createHash('sha256').update(publicKey).digest('hex').slice(0, 16);
}

export async function generateOrganisationKeyPair(): Promise<OrganisationKeyPair> {
  const pair = await suite.kem.generateKeyPair();
  const publicKey = Buffer.from(await suite.kem.serializePublicKey(pair.publicKey));
  const secretKey = Buffer.from(await suite.kem.serializePrivateKey(pair.privateKey));
  return { keyId: keyIdOf(publicKey), publicKey, secretKey };
}

export interface SealingWindow {
  /** Random id under which the encapsulated key is stored. */
  id: string;
  keyId: string;
  /** The HPKE encapsulated key: public, stored with the window. */
  enc: Buffer;
  openedAt: number;
  /** The window's AES-256-GCM key. Lives only in memory, only while the window is open. */
  key: Buffer;
}

export async function openSealingWindow(publicKey: Buffer, now = Date.now()): Promise<SealingWindow> {
  const recipientPublicKey = await suite.kem.deserializePublicKey(publicKey);
  const sender = await suite.createSenderContext({ recipientPublicKey, info: INFO });
  const key = Buffer.from(await sender.export(EXPORTER_CONTEXT, 32));
  return { id: randomBytes(16).toString('hex'), keyId: keyIdOf(publicKey), enc: Buffer.from(sender.enc), openedAt: now, key };
}

/** The window key again, on the organisation's machine: the secret key and the stored enc are all it takes. */
export async function recoverWindowKey(secretKey: Buffer, enc: Buffer): Promise<Buffer> {
  const recipientKey = await suite.kem.deserializePrivateKey(secretKey);
  const recipient = await suite.createRecipientContext({ recipientKey, enc, info: INFO });
  return Buffer.from(await recipient.export(EXPORTER_CONTEXT, 32));
}

/** version (1) | nonce (12) | ciphertext | tag (16). `aad` binds the record to where it is stored. */
export function sealRecord(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const nonce = pooledRandomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([RECORD_VERSION]), nonce, body, cipher.getAuthTag()]);
}

export function openRecord(key: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  if (sealed.length < 1 + NONCE_BYTES + TAG_BYTES || sealed[0] !== RECORD_VERSION) throw new Error('Not a sealed record of a known version');
  const nonce = sealed.subarray(1, 1 + NONCE_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(sealed.subarray(1 + NONCE_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
}
