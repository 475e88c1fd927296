/**
 * Pictures organisers upload (a target's portrait) are published: whatever the file carries besides the image —
 * camera, date, GPS position, the editor's name — would be published with it. Only JPEG, PNG and WebP are taken,
 * recognised by their bytes (never by the name or the declared type), parsed strictly, and rewritten without any
 * metadata block. A file that does not parse is refused rather than passed through.
 */
export type ImageType = 'image/jpeg' | 'image/png' | 'image/webp';

export const IMAGE_EXTENSIONS: Readonly<Record<ImageType, string>> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function imageTypeOf(bytes: Buffer): ImageType | undefined {
  if (bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length > 8 && bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return 'image/png';
  if (bytes.length > 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  return undefined;
}

/** The picture without its metadata, or undefined when it is not a well-formed JPEG, PNG or WebP. */
export function stripImageMetadata(bytes: Buffer): { type: ImageType; bytes: Buffer } | undefined {
  const type = imageTypeOf(bytes);
  const stripped = type === 'image/jpeg' ? stripJpeg(bytes) : type === 'image/png' ? stripPng(bytes) : type === 'image/webp' ? stripWebp(bytes) : undefined;
  return type && stripped ? { type, bytes: stripped } : undefined;
}

// JPEG segments kept before the image data: JFIF (APP0), ICC colour profile (APP2), Adobe colour transform (APP14),
// and every non-APP segment (tables, frame headers). Exif and XMP (APP1), IPTC (APP13), comments and the rest go.
const JPEG_KEPT_APP = new Set([0xe0, 0xe2, 0xee]);

function stripJpeg(bytes: Buffer): Buffer | undefined {
  const parts: Buffer[] = [bytes.subarray(0, 2)];
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    const length = bytes.readUInt16BE(at + 2);
    if (length < 2 || at + 2 + length > bytes.length) return undefined;
    const segment = bytes.subarray(at, at + 2 + length);
    if (marker === 0xda) {
      // Start of scan: the compressed image follows to the end; keep it all (metadata is never inside it).
      parts.push(bytes.subarray(at));
      return Buffer.concat(parts);
    }
    const isApp = marker >= 0xe0 && marker <= 0xef;
    if ((!isApp || JPEG_KEPT_APP.has(marker)) && marker !== 0xfe) parts.push(segment);
    at += 2 + length;
  }
  return undefined;
}

// PNG chunks that carry text, dates or Exif; everything else (image data, palette, colour information) is kept.
const PNG_DROPPED = new Set(['tEXt', 'zTXt', 'iTXt', 'eXIf', 'tIME']);

function stripPng(bytes: Buffer): Buffer | undefined {
  const parts: Buffer[] = [PNG_SIGNATURE];
  let at = 8;
  while (at + 12 <= bytes.length) {
    const length = bytes.readUInt32BE(at);
    const name = bytes.toString('latin1', at + 4, at + 8);
    if (!/^[A-Za-z]{4}$/.test(name) || at + 12 + length > bytes.length) return undefined;
    const chunk = bytes.subarray(at, at + 12 + length);
    if (!PNG_DROPPED.has(name)) parts.push(chunk);
    at += 12 + length;
    if (name === 'IEND') return Buffer.concat(parts);
  }
  return undefined;
}

const VP8X_EXIF = 0x08;
const VP8X_XMP = 0x04;

function stripWebp(bytes: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let at = 12;
  while (at + 8 <= bytes.length) {
    const name = bytes.toString('latin1', at, at + 4);
    const size = bytes.readUInt32LE(at + 4);
    const padded = size + (size % 2);
    if (at + 8 + size > bytes.length) return undefined;
    const chunk = Buffer.from(bytes.subarray(at, Math.min(bytes.length, at + 8 + padded)));
    if (name === 'VP8X' && chunk.length >= 9) chunk[8] = chunk[8]! & ~(VP8X_EXIF | VP8X_XMP);
    if (name !== 'EXIF' && name !== 'XMP ') parts.push(chunk);
    at += 8 + padded;
  }
  if (at !== bytes.length && at !== bytes.length + 1) return undefined;
  const body = Buffer.concat(parts);
  const header = Buffer.alloc(12);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(body.length + 4, 4);
  header.write('WEBP', 8, 'latin1');
  return Buffer.concat([header, body]);
}
