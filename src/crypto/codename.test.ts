/** Codenames: drawn from the published EFF list, forgiving to type, and derived into keys only their holder has. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CODENAME_WORDS, deriveCodenameKeys, generateCodename, normaliseCodename, openWithCodename, sealForCodename } from './codename.ts';
import { EFF_LONG_WORDLIST } from './eff-wordlist.ts';

/** The dice roll the EFF file prints beside the i-th word: i in base 6, digits 1 to 6. */
function diceFor(index: number): string {
  return index
    .toString(6)
    .padStart(5, '0')
    .replace(/\d/g, (digit) => String(Number(digit) + 1));
}

describe('codenames', () => {
  it('draw from the EFF long wordlist exactly as published (eff_large_wordlist.txt, SHA-256 addd3553…)', () => {
    expect(EFF_LONG_WORDLIST).toHaveLength(7776);
    const file = EFF_LONG_WORDLIST.map((word, i) => `${diceFor(i)}\t${word}\n`).join('');
    expect(createHash('sha256').update(file).digest('hex')).toBe('addd35536511597a02fa0a9ff1e5284677b8883b83e986e43f15a3db996b903e');
  });

  it('are seven words, about 90 bits, different each time', () => {
    const codenames = new Set(Array.from({ length: 2000 }, generateCodename));
    expect(codenames.size).toBe(2000);
    for (const codename of codenames) expect(normaliseCodename(codename)).toBe(codename);
    expect(CODENAME_WORDS * Math.log2(EFF_LONG_WORDLIST.length - 4)).toBeGreaterThan(90);
  });

  it('forgive case, spacing, hyphens and line breaks, and refuse anything that cannot be one', () => {
    const codename = 'abacus zoom tidy fetal squad unsigned hasty';
    expect(normaliseCodename(' Abacus-ZOOM\ntidy  fetal_squad unsigned. hasty ')).toBe(codename);
    expect(normaliseCodename('abacus zoom tidy fetal squad unsigned')).toBeUndefined();
    expect(normaliseCodename('abacus zoom tidy fetal squad unsigned hasty hasty')).toBeUndefined();
    expect(normaliseCodename('abacus zoom tidy fetal squad unsigned hastyy')).toBeUndefined();
    expect(normaliseCodename('x'.repeat(10_000))).toBeUndefined();
  });

  it('derive the same keys each time, and keys that depend on the pepper', async () => {
    const pepper = Buffer.alloc(32, 1);
    const a = await deriveCodenameKeys('abacus zoom tidy fetal squad unsigned hasty', pepper);
    const b = await deriveCodenameKeys('abacus zoom tidy fetal squad unsigned hasty', pepper);
    const other = await deriveCodenameKeys('abacus zoom tidy fetal squad unsigned hasty', Buffer.alloc(32, 2));
    expect(a).toEqual(b);
    expect(other.lookup).not.toBe(a.lookup);
    expect(a.replyPublicKey).toHaveLength(32);
  });

  it('seal a reply that only the codename opens', async () => {
    const pepper = Buffer.alloc(32, 3);
    const holder = await deriveCodenameKeys(generateCodename(), pepper);
    const stranger = await deriveCodenameKeys(generateCodename(), pepper);
    const sealed = await sealForCodename(holder.replyPublicKey, new TextEncoder().encode('Мы можем помочь'));
    expect((await openWithCodename(holder.replyPrivateKey, sealed)).toString('utf8')).toBe('Мы можем помочь');
    await expect(openWithCodename(stranger.replyPrivateKey, sealed)).rejects.toThrow();
  });
});
