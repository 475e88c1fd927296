/**
 * Checking an OpenPGP public key before anyone's words are encrypted to it. The key must be public (a pasted private
 * key is refused, and the person told to revoke it), readable, currently valid, able to encrypt, and of a kind GnuPG
 * 2.2 (Debian 12) reads: a version 4 key with RSA of 2048 bits or more, or the ECC curves GnuPG 2.2 has (Curve25519
 * as "legacy" EdDSA/ECDH, and the NIST curves). The newer RFC 9580 keys (version 6, X25519/Ed25519 as their own
 * algorithms) are refused: a reviewer could not decrypt with `gpg` what was encrypted to them.
 */
import { readKey, type Key, type Subkey } from 'openpgp';

export type KeyProblem = 'unreadable' | 'private' | 'not-valid' | 'cannot-encrypt' | 'too-new-for-gnupg' | 'weak';

export interface PublicKeyFacts {
  /** Upper-case hexadecimal, as `gpg --fingerprint` shows it (without its spaces). */
  fingerprint: string;
  userIds: string[];
  /** e.g. "ed25519 / cv25519" or "RSA 4096". */
  algorithm: string;
  createdAt: string;
  expiresAt: string | null;
  /** The key, re-armored: only the parts that were read, none of what may have surrounded it. */
  armored: string;
}

export class KeyRefused extends Error {
  constructor(readonly problem: KeyProblem) {
    super(`The key was refused: ${problem}`);
    this.name = 'KeyRefused';
  }
}

const GNUPG_22_CURVES = new Set(['ed25519Legacy', 'curve25519Legacy', 'nistP256', 'nistP384', 'nistP521']);

/** The names `gpg` gives the curves. */
const CURVE_NAMES: Readonly<Record<string, string>> = { ed25519Legacy: 'ed25519', curve25519Legacy: 'cv25519' };

function describe(part: Key | Subkey): string {
  const { algorithm, curve, bits } = part.getAlgorithmInfo();
  if (algorithm.startsWith('rsa')) return `RSA ${bits ?? '?'}`;
  return (curve && CURVE_NAMES[curve]) ?? curve ?? algorithm;
}

function gnupg22Can(part: Key | Subkey): KeyProblem | undefined {
  if (part.keyPacket.version !== 4) return 'too-new-for-gnupg';
  const { algorithm, curve, bits } = part.getAlgorithmInfo();
  if (algorithm.startsWith('rsa')) return (bits ?? 0) >= 2048 ? undefined : 'weak';
  if (algorithm === 'eddsaLegacy' || algorithm === 'ecdh' || algorithm === 'ecdsa')
    return curve && GNUPG_22_CURVES.has(curve) ? undefined : 'too-new-for-gnupg';
  return 'too-new-for-gnupg';
}

export async function inspectPublicKey(armored: string, now = new Date()): Promise<PublicKeyFacts> {
  let key: Key;
  try {
    key = await readKey({ armoredKey: armored });
  } catch {
    throw new KeyRefused('unreadable');
  }
  if (key.isPrivate()) throw new KeyRefused('private');
  try {
    await key.verifyPrimaryKey(now);
  } catch {
    throw new KeyRefused('not-valid');
  }
  // Checked before OpenPGP.js looks for an encryption key, which passes over RSA keys under 2048 bits in silence.
  if ([key, ...key.subkeys].some((part) => gnupg22Can(part) === 'weak')) throw new KeyRefused('weak');
  let encryption: Key | Subkey;
  try {
    encryption = await key.getEncryptionKey(undefined, now);
  } catch {
    throw new KeyRefused('cannot-encrypt');
  }
  const problem = gnupg22Can(key) ?? gnupg22Can(encryption);
  if (problem) throw new KeyRefused(problem);
  const expiry = await key.getExpirationTime();
  return {
    fingerprint: key.getFingerprint().toUpperCase(),
    userIds: key.getUserIDs(),
    algorithm: encryption === key ? describe(key) : `${describe(key)} / ${describe(encryption)}`,
    createdAt: key.getCreationTime().toISOString(),
    expiresAt: expiry instanceof Date ? expiry.toISOString() : null,
    armored: key.armor(),
  };
}

/** The fingerprint in groups of four, as people compare it aloud or on paper. */
export function groupedFingerprint(fingerprint: string): string {
  return fingerprint.replace(/(.{4})(?=.)/g, '$1 ');
}
