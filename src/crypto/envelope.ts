/**
 * What a submission's plaintext is, before encryption: one MIME message (RFC 2045–2046, multipart/mixed) with the
 * person's words, their contact method and each file as parts, padded to a size that says little about its content.
 * A reviewer who decrypts with `gpg` gets a message any mail client opens; the inbox and `outcry intake decrypt` read
 * it the same way. Every part is base64, so the message is plain ASCII whatever it carries, and it is written as the
 * parts stream in: nothing here holds more than one chunk.
 *
 * The same code runs in the browser (JavaScript on) and on the server (JavaScript off): no Node import.
 */

export type EnvelopeKind = 'testimony' | 'help' | 'follow-up' | 'reply';

const SUBJECTS: Readonly<Record<EnvelopeKind, string>> = {
  testimony: 'Testimony',
  help: 'Request for help',
  'follow-up': 'Follow-up',
  reply: 'Reply',
};

/** Smallest padded size: a short message and a long one look the same. */
export const MIN_ENVELOPE_BYTES = 16 * 1024;
const LINE_INPUT_BYTES = 57; // 76 base64 characters a line
const ascii = new TextEncoder();

/**
 * Padmé (Nikitin et al., "Reducing Metadata Leakage from Encrypted Files and Communication with PURBs", 2019): the
 * length rounded up so that it reveals O(log log n) bits, for at most 12 % more bytes.
 */
export function paddedLength(length: number): number {
  if (length <= MIN_ENVELOPE_BYTES) return MIN_ENVELOPE_BYTES;
  const exponent = Math.floor(Math.log2(length));
  const bitsOfExponent = Math.floor(Math.log2(exponent)) + 1;
  const step = 2 ** (exponent - bitsOfExponent);
  return Math.ceil(length / step) * step;
}

/**
 * The most an envelope (or its ciphertext) may take for `maxContentBytes` of words and files: base64's third more,
 * Padmé's 12 %, and room for the headers and OpenPGP's packets. The configured limit is on what the person sends.
 */
export function maxEnvelopeBytes(maxContentBytes: number): number {
  return Math.ceil(((maxContentBytes * 4) / 3) * 1.125) + 64 * 1024;
}

export class EnvelopeWriter {
  private written = 0;
  private carry = new Uint8Array(0);
  private readonly boundary: string;

  /** random: at least 16 random bytes, which make the part boundary (a file cannot guess it). */
  constructor(random: Uint8Array) {
    if (random.length < 16) throw new Error('The boundary needs at least 16 random bytes');
    this.boundary = `outcry-${Array.from(random, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
  }

  get length(): number {
    return this.written;
  }

  start(kind: EnvelopeKind): Uint8Array {
    return this.emit(
      [
        'MIME-Version: 1.0',
        `Subject: ${SUBJECTS[kind]}`,
        `X-Outcry-Kind: ${kind}`,
        `Content-Type: multipart/mixed; boundary="${this.boundary}"`,
        '',
        'This is an Outcry intake message in MIME format.',
        '',
      ].join('\r\n'),
    );
  }

  /** A text part: the person's words ("message") or how they want to be reached ("contact"). */
  text(name: 'message' | 'contact', text: string): Uint8Array {
    const head = this.partHeader('text/plain; charset=utf-8', `inline; filename="${name}.txt"`);
    const body = base64Lines(new TextEncoder().encode(text));
    return this.emit(`${head}${body}${body ? '\r\n' : ''}`);
  }

  fileStart(name: string, type: string): Uint8Array {
    this.carry = new Uint8Array(0);
    return this.emit(this.partHeader(safeContentType(type), `attachment; filename*=UTF-8''${encodeFilename(name)}`));
  }

  /** The next bytes of the current file, as base64 lines; a remainder shorter than a line waits for the next call. */
  fileBytes(chunk: Uint8Array): Uint8Array {
    const joined = concat(this.carry, chunk);
    const whole = joined.length - (joined.length % LINE_INPUT_BYTES);
    this.carry = joined.slice(whole);
    return whole === 0 ? new Uint8Array(0) : this.emit(`${base64Lines(joined.subarray(0, whole))}\r\n`);
  }

  fileEnd(): Uint8Array {
    const rest = this.carry;
    this.carry = new Uint8Array(0);
    return this.emit(rest.length > 0 ? `${base64Lines(rest)}\r\n` : '');
  }

  /** The closing boundary, then padding (the MIME epilogue, which readers ignore) up to paddedLength. */
  finish(): Uint8Array {
    const closing = `\r\n--${this.boundary}--\r\n`;
    const total = this.written + closing.length;
    return this.emit(closing + epilogue(paddedLength(total) - total));
  }

  private partHeader(type: string, disposition: string): string {
    return `\r\n--${this.boundary}\r\nContent-Type: ${type}\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: ${disposition}\r\n\r\n`;
  }

  private emit(text: string): Uint8Array {
    const bytes = ascii.encode(text);
    this.written += bytes.length;
    return bytes;
  }
}

/** A declared type kept only when it is a plain type/subtype token; anything else is just bytes. */
function safeContentType(type: string): string {
  return /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$/i.test(type) ? type.toLowerCase() : 'application/octet-stream';
}

/** RFC 2231 / 5987 encoding of a file name, cut to a length every reader takes. */
function encodeFilename(name: string): string {
  const cleaned = Array.from(name.replace(/[\p{Cc}\p{Cf}/\\]/gu, '_').trim() || 'file')
    .slice(0, 120)
    .join('');
  return encodeURIComponent(cleaned).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function epilogue(size: number): string {
  if (size <= 0) return '';
  const line = `${' '.repeat(74)}\r\n`;
  return line.repeat(Math.floor(size / line.length)) + ' '.repeat(size % line.length);
}

function base64Lines(bytes: Uint8Array): string {
  const encoded = base64(bytes);
  const lines: string[] = [];
  for (let at = 0; at < encoded.length; at += 76) lines.push(encoded.slice(at, at + 76));
  return lines.join('\r\n');
}

function base64(bytes: Uint8Array): string {
  const NodeBuffer = (globalThis as { Buffer?: { from(b: ArrayBufferLike, offset: number, length: number): { toString(encoding: string): string } } }).Buffer;
  if (NodeBuffer) return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  let binary = '';
  for (let at = 0; at < bytes.length; at += 0x8000) binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  return btoa(binary);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}
