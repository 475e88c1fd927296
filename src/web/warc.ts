/**
 * Writing WARC/1.1 records (https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/),
 * uncompressed, for the few record types a capture needs. Digests are `sha256:` in RFC 4648 base32 with padding,
 * as warcio and warcprox write them.
 */
import { createHash, randomUUID } from 'node:crypto';

export interface WarcRecord {
  type: 'warcinfo' | 'request' | 'response';
  /** `<urn:uuid:…>`, from newWarcRecordId(). */
  id: string;
  /** When capturing the data began. */
  date: Date;
  targetUri?: string;
  /** The address the data was exchanged with. */
  ipAddress?: string;
  concurrentTo?: string;
  warcinfoId?: string;
  contentType: string;
  block: Buffer;
  /** The block's payload (an HTTP message's body, transfer coding removed), when it has one worth a digest. */
  payload?: Buffer;
}

export function newWarcRecordId(): string {
  return `<urn:uuid:${randomUUID()}>`;
}

export function serialiseWarcRecord(record: WarcRecord): Buffer {
  const fields: [string, string | undefined][] = [
    ['WARC-Type', record.type],
    ['WARC-Record-ID', record.id],
    ['WARC-Date', record.date.toISOString()],
    ['WARC-Target-URI', record.targetUri],
    ['WARC-IP-Address', record.ipAddress],
    ['WARC-Concurrent-To', record.concurrentTo],
    ['WARC-Warcinfo-ID', record.warcinfoId],
    ['Content-Type', record.contentType],
    ['WARC-Block-Digest', warcDigest(record.block)],
    ['WARC-Payload-Digest', record.payload && warcDigest(record.payload)],
    ['Content-Length', String(record.block.length)],
  ];
  let head = 'WARC/1.1\r\n';
  for (const [name, value] of fields) {
    if (value === undefined) continue;
    // A line break in a value would let it forge further fields.
    if (/[\r\n]/.test(value)) throw new TypeError(`${name} holds a line break`);
    head += `${name}: ${value}\r\n`;
  }
  return Buffer.concat([Buffer.from(`${head}\r\n`, 'utf8'), record.block, Buffer.from('\r\n\r\n')]);
}

/** A `warcinfo` block (application/warc-fields): one `name: value` line per field. */
export function warcFields(fields: Record<string, string>): Buffer {
  return Buffer.from(
    Object.entries(fields)
      .map(([name, value]) => `${name}: ${value.replace(/[\r\n]+/g, ' ')}\r\n`)
      .join(''),
    'utf8',
  );
}

export function warcDigest(bytes: Buffer): string {
  return `sha256:${base32(createHash('sha256').update(bytes).digest())}`;
}

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 with `=` padding. */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32_ALPHABET[(value << (5 - bits)) & 31];
  return out.padEnd(Math.ceil(out.length / 8) * 8, '=');
}
