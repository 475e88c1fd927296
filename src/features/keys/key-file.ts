/**
 * The organisation's secret key file, written by `outcry keys new` and read by `outcry export`. It is meant to live on
 * an organiser's own machine (or a USB stick), never on the server.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { keyIdOf, type OrganisationKeyPair } from '../../crypto/hpke.ts';

const KIND = 'outcry-organisation-secret-key';

export function writeKeyFile(file: string, pair: OrganisationKeyPair): void {
  const body = {
    kind: KIND,
    version: 1,
    suite: 'HPKE DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, export-only; records AES-256-GCM',
    keyId: pair.keyId,
    publicKey: pair.publicKey.toString('base64url'),
    secretKey: pair.secretKey.toString('base64url'),
    createdAt: new Date().toISOString(),
  };
  // wx: never overwrite an existing key file, which may be the only copy of a key.
  writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
}

export function readKeyFile(file: string): OrganisationKeyPair {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    throw new Error(`"${file}" is not an Outcry key file.`);
  }
  if (parsed['kind'] !== KIND || typeof parsed['secretKey'] !== 'string' || typeof parsed['publicKey'] !== 'string') {
    throw new Error(`"${file}" is not an Outcry key file.`);
  }
  const publicKey = Buffer.from(parsed['publicKey'], 'base64url');
  return { keyId: keyIdOf(publicKey), publicKey, secretKey: Buffer.from(parsed['secretKey'], 'base64url') };
}
