import { describe, expect, it } from 'vitest';
import { generateOrganisationKeyPair, openRecord, openSealingWindow, recoverWindowKey, sealRecord } from './hpke.ts';

describe('HPKE sealing windows', () => {
  it('seals records that open one by one with only the secret key and the window enc', async () => {
    const org = await generateOrganisationKeyPair();
    expect(org.publicKey).toHaveLength(32);
    const window = await openSealingWindow(org.publicKey);
    const aad = Buffer.from('petition:7');
    const first = sealRecord(window.key, Buffer.from('{"name":"Ana"}'), aad);
    const second = sealRecord(window.key, Buffer.from('{"name":"Boris"}'), aad);
    expect(first.subarray(1, 13).equals(second.subarray(1, 13))).toBe(false);
    const key = await recoverWindowKey(org.secretKey, window.enc);
    expect(key.equals(window.key)).toBe(true);
    expect(openRecord(key, second, aad).toString()).toBe('{"name":"Boris"}');
  });

  it('refuses a record moved elsewhere, tampered with, or opened with another key', async () => {
    const org = await generateOrganisationKeyPair();
    const other = await generateOrganisationKeyPair();
    const window = await openSealingWindow(org.publicKey);
    const sealed = sealRecord(window.key, Buffer.from('secret'), Buffer.from('petition:1'));
    expect(() => openRecord(window.key, sealed, Buffer.from('petition:2'))).toThrow();
    const tampered = Buffer.from(sealed);
    tampered[20] = tampered[20]! ^ 1;
    expect(() => openRecord(window.key, tampered, Buffer.from('petition:1'))).toThrow();
    const wrongKey = await recoverWindowKey(other.secretKey, window.enc);
    expect(() => openRecord(wrongKey, sealed, Buffer.from('petition:1'))).toThrow();
  });

  it('gives each window its own key', async () => {
    const org = await generateOrganisationKeyPair();
    const [a, b] = await Promise.all([openSealingWindow(org.publicKey), openSealingWindow(org.publicKey)]);
    expect(a.key.equals(b.key)).toBe(false);
    expect(a.enc.equals(b.enc)).toBe(false);
  });
});
