/**
 * A small, careful reader of the .eml files the development mailer writes (RFC 5322 headers, RFC 2047 encoded-words,
 * MIME quoted-printable and base64, multipart), enough to show a message as text. It never throws on malformed
 * input: what it cannot decode it shows as it is. Everything it returns is plain text, escaped when rendered.
 */

export interface MailHeader {
  name: string;
  value: string;
}

export interface ParsedMail {
  from: string;
  to: string;
  subject: string;
  /** ISO-8601, or null when the Date header is missing or unreadable. */
  date: string | null;
  /** The plain-text body (the first text/plain part of a multipart message), or '' if there is none. */
  text: string;
  /** True when the message had no plain-text part to show. */
  noText: boolean;
}

const MAX_DEPTH = 5;
/** Control characters (tab and newline kept) and bidirectional overrides, which could disguise what a message says. */
const HIDDEN = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;

/** Bytes to text in the named charset; an unknown or broken charset falls back to UTF-8 with replacement characters. */
function decodeBytes(bytes: Buffer, charset: string | undefined): string {
  const label = (charset ?? 'utf-8').split('*')[0]!.trim().toLowerCase() || 'utf-8';
  try {
    return new TextDecoder(label).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/** Quoted-printable to bytes (RFC 2045 §6.7): soft line breaks removed, =XX decoded, anything malformed kept as is. */
export function decodeQuotedPrintable(input: string, options: { underscoreIsSpace?: boolean } = {}): Buffer {
  const text = input.replace(/[ \t]+(?=\r?\n)/g, '').replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]!;
    if (char === '=' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (char === '_' && options.underscoreIsSpace) {
      bytes.push(0x20);
    } else {
      // The input is a binary string (one char per byte); anything wider came from a header already decoded as UTF-8.
      const code = char.charCodeAt(0);
      if (code < 0x100) bytes.push(code);
      else bytes.push(...Buffer.from(char, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;

/**
 * Decodes RFC 2047 encoded-words in a header value. Whitespace between two adjacent encoded-words is dropped, and
 * adjacent words in one charset are joined as bytes before decoding, so a character split across two words survives.
 */
export function decodeEncodedWords(value: string): string {
  const pieces: ({ kind: 'text'; text: string } | { kind: 'word'; charset: string; bytes: Buffer })[] = [];
  let last = 0;
  for (const match of value.matchAll(ENCODED_WORD)) {
    const between = value.slice(last, match.index);
    const previous = pieces.at(-1);
    if (!(previous?.kind === 'word' && /^\s*$/.test(between)) && between !== '') pieces.push({ kind: 'text', text: between });
    const [, charset = 'utf-8', encoding = 'Q', payload = ''] = match;
    let bytes: Buffer;
    if (encoding.toUpperCase() === 'B') {
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(payload)) {
        pieces.push({ kind: 'text', text: match[0] });
        last = match.index + match[0].length;
        continue;
      }
      bytes = Buffer.from(payload, 'base64');
    } else {
      bytes = decodeQuotedPrintable(payload, { underscoreIsSpace: true });
    }
    const before = pieces.at(-1);
    if (before?.kind === 'word' && before.charset.toLowerCase() === charset.toLowerCase()) before.bytes = Buffer.concat([before.bytes, bytes]);
    else pieces.push({ kind: 'word', charset, bytes });
    last = match.index + match[0].length;
  }
  if (last < value.length) pieces.push({ kind: 'text', text: value.slice(last) });
  return pieces.map((piece) => (piece.kind === 'text' ? piece.text : decodeBytes(piece.bytes, piece.charset))).join('');
}

/** Splits a raw entity (as a binary string) into its unfolded headers and its body. */
function splitEntity(raw: string): { headers: MailHeader[]; body: string } {
  const match = /\r?\n\r?\n/.exec(raw);
  const head = match ? raw.slice(0, match.index) : raw;
  const body = match ? raw.slice(match.index + match[0].length) : '';
  const headers: MailHeader[] = [];
  for (const line of head.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && headers.length > 0) {
      headers.at(-1)!.value += line;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.push({ name: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1) });
  }
  for (const header of headers) {
    // Headers may carry raw UTF-8 (RFC 6532) as well as encoded-words; control characters are never shown.
    const utf8 = Buffer.from(header.value, 'latin1').toString('utf8');
    header.value = decodeEncodedWords(utf8.trim()).replace(HIDDEN, '');
  }
  return { headers, body };
}

function headerOf(headers: MailHeader[], name: string): string {
  return headers.find((h) => h.name === name)?.value ?? '';
}

/** "text/plain; charset=utf-8" → { type: 'text/plain', params: { charset: 'utf-8' } } */
export function parseContentType(value: string): { type: string; params: Record<string, string> } {
  const [type = '', ...rest] = value.split(';');
  const params: Record<string, string> = {};
  for (const part of rest) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    let paramValue = part.slice(eq + 1).trim();
    if (paramValue.startsWith('"') && paramValue.endsWith('"') && paramValue.length >= 2) paramValue = paramValue.slice(1, -1).replace(/\\(.)/g, '$1');
    params[key] = paramValue;
  }
  return { type: type.trim().toLowerCase() || 'text/plain', params };
}

function decodeBody(body: string, headers: MailHeader[]): Buffer {
  const encoding = headerOf(headers, 'content-transfer-encoding').trim().toLowerCase();
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  if (encoding === 'base64') return Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  return Buffer.from(body, 'latin1');
}

/** The first text/plain part of an entity, decoded, or undefined. */
function plainText(headers: MailHeader[], body: string, depth: number): string | undefined {
  const { type, params } = parseContentType(headerOf(headers, 'content-type') || 'text/plain; charset=us-ascii');
  if (type === 'text/plain') return decodeBytes(decodeBody(body, headers), params['charset']).replace(/\r\n?/g, '\n');
  const boundary = params['boundary'];
  if (!type.startsWith('multipart/') || !boundary || depth >= MAX_DEPTH || boundary.length > 200) return undefined;
  const delimiter = `--${boundary}`;
  const lines = body.split(/\r?\n/);
  const parts: string[][] = [];
  let current: string[] | undefined;
  for (const line of lines) {
    if (line === `${delimiter}--` || line.trimEnd() === `${delimiter}--`) break;
    if (line === delimiter || line.trimEnd() === delimiter) {
      current = [];
      parts.push(current);
    } else current?.push(line);
  }
  for (const part of parts) {
    const entity = splitEntity(part.join('\n'));
    const text = plainText(entity.headers, entity.body, depth + 1);
    if (text !== undefined) return text;
  }
  return undefined;
}

export type MailSummaryHeaders = Omit<ParsedMail, 'text' | 'noText'>;

function summaryOf(headers: MailHeader[]): MailSummaryHeaders {
  const dateHeader = headerOf(headers, 'date');
  const parsedDate = dateHeader ? Date.parse(dateHeader) : NaN;
  return {
    from: headerOf(headers, 'from'),
    to: headerOf(headers, 'to'),
    subject: headerOf(headers, 'subject'),
    date: Number.isNaN(parsedDate) ? null : new Date(parsedDate).toISOString(),
  };
}

/** Reads a whole message. `bytes` may be cut short (a size limit): what is there is shown. */
export function parseMail(bytes: Buffer): ParsedMail {
  const { headers, body } = splitEntity(bytes.toString('latin1'));
  const text = plainText(headers, body, 0);
  return {
    ...summaryOf(headers),
    text: (text ?? '').replace(HIDDEN, ''),
    noText: text === undefined,
  };
}

/** Only the headers: for the list, which reads the first few kilobytes of each file. */
export function parseMailHeaders(bytes: Buffer): MailSummaryHeaders {
  return summaryOf(splitEntity(bytes.toString('latin1')).headers);
}
