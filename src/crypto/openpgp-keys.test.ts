/** Keys as reviewers bring them: made by Debian's GnuPG 2.2 (accepted, same fingerprint), and the kinds refused. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateKey } from 'openpgp';
import { describe, expect, it } from 'vitest';
import { inspectPublicKey, type KeyProblem } from './openpgp-keys.ts';

function gpgKey(algo: string): { armored: string; fingerprint: string } {
  const home = mkdtempSync(path.join(tmpdir(), 'outcry-gpg-'));
  try {
    const gpg = (...args: string[]) =>
      execFileSync('gpg', ['--homedir', home, '--batch', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], { encoding: 'utf8' });
    gpg('--quick-generate-key', 'Reviewer <reviewer@example.org>', algo, algo === 'future-default' ? 'default' : 'cert,sign', '1y');
    const primary = /^fpr:+([0-9A-F]{40}):/m.exec(gpg('--with-colons', '--fingerprint', 'reviewer@example.org'))![1]!;
    // Other algorithms make a primary key only: add the encryption subkey a reviewer would.
    if (algo !== 'future-default') gpg('--quick-add-key', primary, algo, 'encr', '1y');
    const armored = gpg('--armor', '--export', 'reviewer@example.org');
    return { armored, fingerprint: primary };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

async function problemOf(armored: string): Promise<KeyProblem | undefined> {
  try {
    await inspectPublicKey(armored);
    return undefined;
  } catch (error) {
    return (error as { problem?: KeyProblem }).problem;
  }
}

describe('OpenPGP public keys', () => {
  it('accepts keys made by GnuPG 2.2, with the fingerprint gpg shows', async () => {
    for (const algo of ['future-default', 'rsa3072']) {
      const { armored, fingerprint } = gpgKey(algo);
      const facts = await inspectPublicKey(armored);
      expect(facts.fingerprint).toBe(fingerprint);
      expect(facts.userIds).toEqual(['Reviewer <reviewer@example.org>']);
      expect(facts.expiresAt).not.toBeNull();
      expect(facts.algorithm).toMatch(algo === 'rsa3072' ? /^RSA 3072/ : /^ed25519 \/ cv25519$/);
    }
  });

  it('refuses a private key, a version 6 key GnuPG 2.2 cannot read, a weak RSA key, an expired key and garbage', async () => {
    const legacy = await generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: 'R' }], format: 'armored' });
    expect(await problemOf(legacy.publicKey)).toBeUndefined();
    expect(await problemOf(legacy.privateKey)).toBe('private');
    const v6 = await generateKey({ type: 'curve25519', userIDs: [{ name: 'R' }], format: 'armored', config: { v6Keys: true } });
    expect(await problemOf(v6.publicKey)).toBe('too-new-for-gnupg');
    const weak = await generateKey({ type: 'rsa', rsaBits: 1024, userIDs: [{ name: 'R' }], format: 'armored', config: { minRSABits: 1024 } });
    expect(await problemOf(weak.publicKey)).toBe('weak');
    const expired = await generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ name: 'R' }],
      format: 'armored',
      keyExpirationTime: 1,
      date: new Date(Date.now() - 60_000),
    });
    expect(await problemOf(expired.publicKey)).toBe('not-valid');
    for (const garbage of ['', 'hello', '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n-----END PGP PUBLIC KEY BLOCK-----', '<script>alert(1)</script>']) {
      expect(await problemOf(garbage)).toBe('unreadable');
    }
  });
});
