/**
 * Codenames: the only thing a person who wrote to intake holds, and the only way back to their replies.
 *
 * Seven words from the EFF long wordlist (7,772 of its 7,776 words: about 90 bits), drawn by the server. The server keeps two values derived
 * from argon2id(codename, secret = pepper): a lookup value that finds the submission, and the public half of an
 * X25519 key pair that replies are sealed to (HPKE, RFC 9180). The private half exists only while the person is
 * reading, derived again from the codename they type. A seized server holds neither the codename nor that key.
 */
import { hkdfSync, randomInt } from 'node:crypto';
import { Aes256Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';
import { hashRaw } from '@node-rs/argon2';
import { EFF_LONG_WORDLIST } from './eff-wordlist.ts';

export const CODENAME_WORDS = 7;
// The four hyphenated words (drop-down, t-shirt…) are left out, so that a hyphen typed between words is a separator.
const CODENAME_WORDLIST = EFF_LONG_WORDLIST.filter((word) => !word.includes('-'));
const WORDS = new Set(CODENAME_WORDLIST);

// OWASP's argon2id minimum, as for admin passwords. A codename's ~90 random bits, not the KDF's cost, are what stop a
// guesser holding the pepper; more memory would only cost the server (it stays within an upload's RSS budget).
const ARGON2_OPTIONS = { algorithm: 2 /* Argon2id */, memoryCost: 19_456, timeCost: 2, parallelism: 1, outputLen: 32 } as const;
// The pepper is argon2's secret input; the salt is fixed so that the same codename always finds its submission.
const SALT = new TextEncoder().encode('outcry codename v1');
const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes256Gcm() });
const REPLY_INFO = new TextEncoder().encode('outcry intake reply v1');

export function generateCodename(): string {
  return Array.from({ length: CODENAME_WORDS }, () => CODENAME_WORDLIST[randomInt(CODENAME_WORDLIST.length)]).join(' ');
}

/**
 * The codename as typed, made canonical (case, spaces, hyphens and line breaks forgiven), or undefined when it cannot
 * be one: the wrong number of words, or a word not on the list.
 */
export function normaliseCodename(input: string): string | undefined {
  if (input.length > 400) return undefined;
  const words = input
    .toLowerCase()
    .split(/[\s\-_.,]+/u)
    .filter(Boolean);
  if (words.length !== CODENAME_WORDS || !words.every((word) => WORDS.has(word))) return undefined;
  return words.join(' ');
}

export interface CodenameKeys {
  /** Finds the submission (stored, unique). */
  lookup: string;
  /** The X25519 public key replies are sealed to (stored). */
  replyPublicKey: Buffer;
  /** The matching private key: kept in memory only while a reply is opened. */
  replyPrivateKey: Buffer;
}

export async function deriveCodenameKeys(codename: string, pepper: Buffer): Promise<CodenameKeys> {
  const root = await hashRaw(codename, { ...ARGON2_OPTIONS, salt: SALT, secret: pepper });
  const expand = (label: string) => Buffer.from(hkdfSync('sha256', root, Buffer.alloc(0), `outcry codename ${label}`, 32));
  const pair = await suite.kem.deriveKeyPair(toArrayBuffer(expand('reply key')));
  return {
    lookup: expand('lookup').toString('base64url'),
    replyPublicKey: Buffer.from(await suite.kem.serializePublicKey(pair.publicKey)),
    replyPrivateKey: Buffer.from(await suite.kem.serializePrivateKey(pair.privateKey)),
  };
}

/** Seals a reply so that only the codename's holder opens it: the encapsulated key (32 bytes), then the ciphertext. */
export async function sealForCodename(replyPublicKey: Buffer, plaintext: Uint8Array): Promise<Buffer> {
  const recipientPublicKey = await suite.kem.deserializePublicKey(toArrayBuffer(replyPublicKey));
  const sealed = await suite.seal({ recipientPublicKey, info: REPLY_INFO }, toArrayBuffer(plaintext));
  return Buffer.concat([Buffer.from(sealed.enc), Buffer.from(sealed.ct)]);
}

export async function openWithCodename(replyPrivateKey: Buffer, sealed: Uint8Array): Promise<Buffer> {
  const recipientKey = await suite.kem.deserializePrivateKey(toArrayBuffer(replyPrivateKey));
  const enc = toArrayBuffer(sealed.subarray(0, 32));
  return Buffer.from(await suite.open({ recipientKey, enc, info: REPLY_INFO }, toArrayBuffer(sealed.subarray(32))));
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
