/**
 * The key every per-client limit counts under. An IPv4 address is one client. An IPv6 client is given a whole /64
 * (and its privacy addresses change within it at will), so its /64 is the client: keyed on the full address, one
 * home connection would be 2^64 fresh clients to every limit.
 */
import { isIPv4, isIPv6 } from 'node:net';

/**
 * IPv4 as is; IPv4-mapped IPv6 (`::ffff:a.b.c.d`, how a dual-stack server sees IPv4 clients) as the IPv4 address;
 * any other IPv6 address as its /64, written `2001:db8:0:1::/64` whatever way the address was spelled. Anything
 * that is not an address comes back unchanged.
 */
export function clientKey(ip: string): string {
  if (isIPv4(ip)) return ip;
  const address = ip.split('%', 1)[0]!;
  if (!isIPv6(address)) return ip;
  const groups = ipv6Groups(address.toLowerCase());
  if (isIPv4Mapped(groups)) return `${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.${groups[7]! & 0xff}`;
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

function isIPv4Mapped(groups: number[]): boolean {
  return groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
}

/** The eight 16-bit groups of a valid IPv6 address (without zone id): `::` expanded, a dotted IPv4 tail as two. */
function ipv6Groups(address: string): number[] {
  const lastColon = address.lastIndexOf(':');
  let text = address;
  if (address.includes('.', lastColon)) {
    const [a, b, c, d] = address
      .slice(lastColon + 1)
      .split('.')
      .map(Number) as [number, number, number, number];
    text = `${address.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16)));
  const [head = '', tail] = text.split('::');
  if (tail === undefined) return parse(head);
  const before = parse(head);
  const after = parse(tail);
  return [...before, ...new Array<number>(8 - before.length - after.length).fill(0), ...after];
}
