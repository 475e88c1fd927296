import { BlockList } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientKey } from './client-key.ts';

const group = fc.integer({ min: 0, max: 0xffff });
const groups = (length: number) => fc.array(group, { minLength: length, maxLength: length });

/** One of the many ways to write the same eight groups: case, leading zeros, `::` for one run of zeros, a zone id. */
const spelling = fc.record({
  upper: fc.boolean(),
  padded: fc.boolean(),
  compress: fc.boolean(),
  zone: fc.option(fc.constantFrom('eth0', '1', 'en0'), { nil: undefined }),
});

function spell(parts: number[], how: { upper: boolean; padded: boolean; compress: boolean; zone: string | undefined }): string {
  let texts = parts.map((part) => (how.padded ? part.toString(16).padStart(4, '0') : part.toString(16)));
  if (how.upper) texts = texts.map((text) => text.toUpperCase());
  let written = texts.join(':');
  if (how.compress) {
    const run = longestZeroRun(parts);
    if (run) written = `${texts.slice(0, run.start).join(':')}::${texts.slice(run.start + run.length).join(':')}`;
  }
  return how.zone ? `${written}%${how.zone}` : written;
}

function longestZeroRun(parts: number[]): { start: number; length: number } | undefined {
  let best: { start: number; length: number } | undefined;
  for (let start = 0; start < parts.length; start += 1) {
    let length = 0;
    while (parts[start + length] === 0) length += 1;
    if (length > 0 && (!best || length > best.length)) best = { start, length };
  }
  return best;
}

/** An address outside ::ffff:0:0/96, so it is keyed on its /64 rather than read as IPv4. */
const notMapped = (parts: number[]) => !(parts.slice(0, 5).every((p) => p === 0) && parts[5] === 0xffff);

describe('clientKey', () => {
  it('keeps an IPv4 address as it is', () => {
    expect(clientKey('203.0.113.7')).toBe('203.0.113.7');
    fc.assert(fc.property(fc.ipV4(), (ip) => clientKey(ip) === ip));
  });

  it('reads an IPv4-mapped IPv6 address as the IPv4 address, however it is written', () => {
    expect(clientKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('::FFFF:203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('0:0:0:0:0:ffff:cb00:7107')).toBe('203.0.113.7');
    fc.assert(fc.property(fc.ipV4(), (ip) => clientKey(`::ffff:${ip}`) === ip));
  });

  it('keys an IPv6 address on its /64, spelled one way', () => {
    expect(clientKey('2001:db8:1:2::5')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:0DB8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientKey('2001:db8:1:2:3:4:198.51.100.1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
  });

  it('gives every address of one /64 the same key, however each is written', () => {
    fc.assert(
      fc.property(groups(4), groups(4), groups(4), spelling, spelling, (prefix, a, b, howA, howB) => {
        fc.pre(notMapped([...prefix, ...a]) && notMapped([...prefix, ...b]));
        expect(clientKey(spell([...prefix, ...a], howA))).toBe(clientKey(spell([...prefix, ...b], howB)));
      }),
    );
  });

  it('gives addresses in different /64s different keys', () => {
    fc.assert(
      fc.property(groups(8), groups(8), spelling, spelling, (a, b, howA, howB) => {
        fc.pre(notMapped(a) && notMapped(b) && a.slice(0, 4).join() !== b.slice(0, 4).join());
        expect(clientKey(spell(a, howA))).not.toBe(clientKey(spell(b, howB)));
      }),
    );
  });

  it('agrees with Node on which addresses share a /64', () => {
    fc.assert(
      fc.property(groups(4), groups(4), groups(4), groups(4), fc.boolean(), spelling, spelling, (prefix, other, a, b, same, howA, howB) => {
        const first = [...prefix, ...a];
        const second = [...(same ? prefix : other), ...b];
        fc.pre(notMapped(first) && notMapped(second));
        const subnet = new BlockList();
        subnet.addSubnet(spell(first, { ...howA, zone: undefined }), 64, 'ipv6');
        expect(clientKey(spell(first, howA)) === clientKey(spell(second, howB))).toBe(subnet.check(spell(second, { ...howB, zone: undefined }), 'ipv6'));
      }),
    );
  });

  it('names a /64 that holds the address, for any way fast-check writes one', () => {
    const mapped = new BlockList();
    mapped.addSubnet('::ffff:0:0', 96, 'ipv6');
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        const key = clientKey(ip);
        if (mapped.check(ip, 'ipv6')) return expect(clientKey(`::ffff:${key}`)).toBe(key);
        const subnet = new BlockList();
        subnet.addSubnet(key.replace('/64', ''), 64, 'ipv6');
        expect(key).toMatch(/^([0-9a-f]{1,4}:){4}:\/64$/);
        expect(subnet.check(ip, 'ipv6')).toBe(true);
      }),
    );
  });

  it('returns anything that is not an address unchanged', () => {
    for (const value of ['', 'unknown', '1.2.3', '2001:db8::1::2', '::ffff:1.2.3.4.5']) expect(clientKey(value)).toBe(value);
  });
});
