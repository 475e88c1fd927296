/**
 * Ed25519 keys and signatures for ledger exports, with node:crypto alone. The key pair is made on an organiser's own
 * machine: the secret key (PKCS#8 PEM) stays there, the public key (SPKI PEM) goes to the server and beside every
 * published export. A signature is the raw 64 bytes over the export file's exact bytes, which is what
 * `openssl pkeyutl -verify -pubin -inkey KEY.pub -rawin -in EXPORT -sigfile EXPORT.sig` checks.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sha256Hex } from './ledger.ts';

const SIGNATURE_BYTES = 64;

export interface NewSigningKey {
  /** Absolute paths of the secret key (mode 0600) and the public key. */
  secretFile: string;
  publicFile: string;
  keyId: string;
}

/** Hex SHA-256 of the public key's SubjectPublicKeyInfo (DER): how the key is named in messages and on the server. */
export function signingKeyIdOf(publicKey: KeyObject): string {
  return sha256Hex(publicKey.export({ type: 'spki', format: 'der' }));
}

/** Makes a key pair and writes FILE (the secret key, 0600) and FILE.pub; never overwrites either. */
export function createSigningKeyFiles(out: string): NewSigningKey {
  const secretFile = path.resolve(out);
  const publicFile = `${secretFile}.pub`;
  for (const file of [secretFile, publicFile]) {
    if (existsSync(file)) throw new Error(`${file} already exists. A key file is never overwritten: it may be the only copy of a key. Choose another name.`);
  }
  const directory = path.dirname(secretFile);
  if (!existsSync(directory) || !statSync(directory).isDirectory()) throw new Error(`The folder ${directory} does not exist.`);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  // wx: a file that appeared meanwhile is not overwritten either.
  writeFileSync(secretFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  writeFileSync(publicFile, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644, flag: 'wx' });
  return { secretFile, publicFile, keyId: signingKeyIdOf(publicKey) };
}

function readPem(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new Error(`Cannot read ${file}.`);
  }
}

export function readSecretSigningKey(file: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(readPem(file));
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('Cannot read')) throw error;
    throw new Error(`${file} is not a secret key in PEM form.`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${file} is not an Ed25519 key (outcry evidence keys new makes one).`);
  return key;
}

/** An Ed25519 public key from SPKI PEM text; throws a message naming `where` for anything else. */
export function parsePublicSigningKey(pem: string, where: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new Error(`${where} is not a public key in PEM form.`);
  }
  if (key.type !== 'public' || key.asymmetricKeyType !== 'ed25519') throw new Error(`${where} is not an Ed25519 public key.`);
  return key;
}

export function readPublicSigningKey(file: string): KeyObject {
  return parsePublicSigningKey(readPem(file), file);
}

export function signBytes(bytes: Buffer, secretKey: KeyObject): Buffer {
  return sign(null, bytes, secretKey);
}

export function isSignatureValid(bytes: Buffer, signature: Buffer, publicKey: KeyObject): boolean {
  return signature.length === SIGNATURE_BYTES && verify(null, bytes, publicKey, signature);
}
