/**
 * Removing what a picture carries besides the image — camera, date, GPS position, the editor's name — from JPEG, PNG
 * and WebP, recognised by their bytes (never by the name or the declared type) and parsed strictly. A file that does
 * not parse gives undefined, so the caller refuses it rather than passing it through.
 *
 * Browser-safe (Uint8Array only, no Node import): the intake page's script strips photos before it encrypts them, and
 * web/images.ts gives the server the same code over Buffers.
 */
export type ImageType = 'image/jpeg' | 'image/png' | 'image/webp';

export const IMAGE_EXTENSIONS: Readonly<Record<ImageType, string>> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };

const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

export function imageTypeOf(bytes: Uint8Array): ImageType | undefined {
  if (bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length > 8 && PNG_SIGNATURE.every((byte, i) => bytes[i] === byte)) return 'image/png';
  if (bytes.length > 12 && latin1(bytes, 0, 4) === 'RIFF' && latin1(bytes, 8, 12) === 'WEBP') return 'image/webp';
  return undefined;
}

/** The picture without its metadata, or undefined when it is not a well-formed JPEG, PNG or WebP. */
export function stripImageMetadata(bytes: Uint8Array): { type: ImageType; bytes: Uint8Array } | undefined {
  const type = imageTypeOf(bytes);
  const stripped = type === 'image/jpeg' ? stripJpeg(bytes) : type === 'image/png' ? stripPng(bytes) : type === 'image/webp' ? stripWebp(bytes) : undefined;
  return type && stripped ? { type, bytes: stripped } : undefined;
}

// JPEG segments kept before the image data: JFIF (APP0), ICC colour profile (APP2), Adobe colour transform (APP14),
// and every non-APP segment (tables, frame headers). Exif and XMP (APP1), IPTC (APP13), comments and the rest go.
const JPEG_KEPT_APP = new Set([0xe0, 0xe2, 0xee]);
const JPEG_START_OF_SCAN = 0xda;
const JPEG_COMMENT = 0xfe;

function stripJpeg(bytes: Uint8Array): Uint8Array | undefined {
  const view = dataView(bytes);
  const parts: Uint8Array[] = [bytes.subarray(0, 2)];
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    const length = view.getUint16(at + 2);
    if (length < 2 || at + 2 + length > bytes.length) return undefined;
    if (marker === JPEG_START_OF_SCAN) {
      // The compressed image follows to the end; keep it all (metadata is never inside it).
      parts.push(bytes.subarray(at));
      return concatBytes(parts);
    }
    const isApp = marker >= 0xe0 && marker <= 0xef;
    if ((!isApp || JPEG_KEPT_APP.has(marker)) && marker !== JPEG_COMMENT) parts.push(bytes.subarray(at, at + 2 + length));
    at += 2 + length;
  }
  return undefined;
}

// PNG chunks that carry text, dates or Exif; everything else (image data, palette, colour information) is kept.
const PNG_DROPPED = new Set(['tEXt', 'zTXt', 'iTXt', 'eXIf', 'tIME']);

function stripPng(bytes: Uint8Array): Uint8Array | undefined {
  const view = dataView(bytes);
  const parts: Uint8Array[] = [PNG_SIGNATURE];
  let at = 8;
  while (at + 12 <= bytes.length) {
    const length = view.getUint32(at);
    const name = latin1(bytes, at + 4, at + 8);
    if (!/^[A-Za-z]{4}$/.test(name) || at + 12 + length > bytes.length) return undefined;
    if (!PNG_DROPPED.has(name)) parts.push(bytes.subarray(at, at + 12 + length));
    at += 12 + length;
    if (name === 'IEND') return concatBytes(parts);
  }
  return undefined;
}

const VP8X_EXIF = 0x08;
const VP8X_XMP = 0x04;

function stripWebp(bytes: Uint8Array): Uint8Array | undefined {
  const view = dataView(bytes);
  const parts: Uint8Array[] = [];
  let at = 12;
  while (at + 8 <= bytes.length) {
    const name = latin1(bytes, at, at + 4);
    const size = view.getUint32(at + 4, true);
    const padded = size + (size % 2);
    if (at + 8 + size > bytes.length) return undefined;
    // A copy, not a view: the VP8X flags are changed and the caller's bytes must stay as they were.
    const chunk = new Uint8Array(bytes.subarray(at, Math.min(bytes.length, at + 8 + padded)));
    if (name === 'VP8X' && chunk.length >= 9) chunk[8] = chunk[8]! & ~(VP8X_EXIF | VP8X_XMP);
    if (name !== 'EXIF' && name !== 'XMP ') parts.push(chunk);
    at += 8 + padded;
  }
  if (at !== bytes.length && at !== bytes.length + 1) return undefined;
  const body = concatBytes(parts);
  const header = new Uint8Array(12);
  header.set(asciiBytes('RIFF'), 0);
  dataView(header).setUint32(4, body.length + 4, true);
  header.set(asciiBytes('WEBP'), 8);
  return concatBytes([header, body]);
}

function dataView(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, end));
}

function asciiBytes(text: string): Uint8Array {
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}

function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const joined = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.length;
  }
  return joined;
}
