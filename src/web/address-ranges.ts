/**
 * Which IP addresses a server-side fetch may reach: public unicast only. Anything else (loopback, private,
 * link-local with its cloud metadata service, multicast, reserved, documentation…) could reach inside the
 * operator's network, so it is named here and refused by the caller unless the operator allowed it.
 */
import { BlockList, isIP, isIPv4 } from 'node:net';

type Range = readonly [network: string, prefix: number, name: string];

// IANA's IPv4 Special-Purpose Address Registry, less the few entries that are globally reachable anycast.
const IPV4_RANGES: readonly Range[] = [
  ['0.0.0.0', 8, 'this network'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'shared address space (CGNAT)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, '6to4 relay anycast'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved (and broadcast)'],
];

// Only 2000::/3 is global unicast; within it these are not. Ranges outside it are named for the message.
const IPV6_RANGES: readonly Range[] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['64:ff9b:1::', 48, 'local-use NAT64'],
  ['fc00::', 7, 'unique local'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local'],
  ['ff00::', 8, 'multicast'],
  ['2001::', 23, 'IETF protocol assignments (Teredo and others)'],
  ['2001:db8::', 32, 'documentation'],
  ['3fff::', 20, 'documentation'],
];

const GLOBAL_UNICAST_V6 = blockListOf([['2000::', 3]]);

// IPv6 forms that carry an IPv4 address, which is what is reached in the end: [prefix, bits, offset of the IPv4 bytes].
const IPV4_EMBEDDINGS: readonly (readonly [string, number, number, string])[] = [
  ['::ffff:0:0', 96, 12, 'IPv4-mapped'],
  ['64:ff9b::', 96, 12, 'NAT64'],
  ['2002::', 16, 2, '6to4'],
];

const ipv4Lists = IPV4_RANGES.map(([network, prefix, name]) => ({ list: blockListOf([[network, prefix]]), name }));
const ipv6Lists = IPV6_RANGES.map(([network, prefix, name]) => ({ list: blockListOf([[network, prefix]]), name }));
const embeddingLists = IPV4_EMBEDDINGS.map(([network, prefix, offset, name]) => ({ list: blockListOf([[network, prefix]]), offset, name }));

/**
 * The name of the special-purpose range `address` falls in, or undefined when it is a public unicast address.
 * Anything that is not an IP address at all is named too, so a caller that forgets to resolve refuses.
 */
export function specialRangeOf(address: string): string | undefined {
  const bare = address.replace(/%.*$/, '');
  switch (isIP(bare)) {
    case 4:
      return ipv4Lists.find(({ list }) => list.check(bare, 'ipv4'))?.name;
    case 6:
      return specialRangeOfIpv6(bare);
    default:
      return 'not an IP address';
  }
}

function specialRangeOfIpv6(address: string): string | undefined {
  const embedding = embeddingLists.find(({ list }) => list.check(address, 'ipv6'));
  if (embedding) {
    const bytes = ipv6Bytes(address).subarray(embedding.offset, embedding.offset + 4);
    const range = specialRangeOf(bytes.join('.'));
    return range && `${embedding.name} ${range}`;
  }
  const named = ipv6Lists.find(({ list }) => list.check(address, 'ipv6'))?.name;
  if (named) return named;
  return GLOBAL_UNICAST_V6.check(address, 'ipv6') ? undefined : 'reserved';
}

/**
 * The operator's exceptions ("127.0.0.1", "10.1.0.0/16", "::1"), checked once: a malformed entry throws, naming it,
 * rather than silently allowing nothing or everything.
 */
export function parseAddressList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefixText, extra] = entry.trim().split('/');
    const family = isIP(address);
    const prefix = prefixText === undefined ? undefined : Number(prefixText);
    const maxPrefix = family === 4 ? 32 : 128;
    const isValidPrefix = prefix === undefined || (/^\d+$/.test(prefixText!) && prefix <= maxPrefix);
    if (family === 0 || extra !== undefined || !isValidPrefix) throw new TypeError(`Not an IP address or CIDR range: ${entry}`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, prefix, type);
  }
  return list;
}

export function isInList(list: BlockList, address: string): boolean {
  const bare = address.replace(/%.*$/, '');
  const family = isIP(bare);
  return family !== 0 && list.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}

function blockListOf(ranges: readonly (readonly [string, number])[]): BlockList {
  const list = new BlockList();
  for (const [network, prefix] of ranges) list.addSubnet(network, prefix, isIPv4(network) ? 'ipv4' : 'ipv6');
  return list;
}

/** The 16 bytes of a valid IPv6 address in any textual form (compressed, with a dotted IPv4 tail). */
function ipv6Bytes(address: string): Uint8Array {
  const groupsOf = (part: string): number[] => {
    if (part === '') return [];
    return part.split(':').flatMap((group) => {
      if (!group.includes('.')) return [Number.parseInt(group, 16)];
      const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
      return [(a << 8) | b, (c << 8) | d];
    });
  };
  const [head = '', tail] = address.split('::');
  const headGroups = groupsOf(head);
  const tailGroups = tail === undefined ? [] : groupsOf(tail);
  const groups = [...headGroups, ...new Array<number>(8 - headGroups.length - tailGroups.length).fill(0), ...tailGroups];
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    bytes[2 * i] = group >> 8;
    bytes[2 * i + 1] = group & 0xff;
  });
  return bytes;
}
