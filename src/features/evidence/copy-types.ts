/**
 * The kinds of copy an organiser may upload, recognised by their bytes, never by the file's name or the type the
 * browser claims; and how each is served for download.
 */
import type { CaptureFileType } from '../../db/schema.ts';
import { imageTypeOf } from '../../web/images.ts';

export const COPY_TYPES: Record<CaptureFileType, { contentType: string; extension: string }> = {
  warc: { contentType: 'application/warc', extension: 'warc' },
  pdf: { contentType: 'application/pdf', extension: 'pdf' },
  png: { contentType: 'image/png', extension: 'png' },
  jpeg: { contentType: 'image/jpeg', extension: 'jpg' },
  html: { contentType: 'text/html; charset=utf-8', extension: 'html' },
  text: { contentType: 'text/plain; charset=utf-8', extension: 'txt' },
};

const startsWith = (bytes: Buffer, text: string) => bytes.subarray(0, text.length).toString('latin1') === text;

/** WARC, PDF, PNG, JPEG, HTML or UTF-8 plain text; undefined for anything else (a program, an archive, Word…). */
export function recogniseCopyType(bytes: Buffer): CaptureFileType | undefined {
  if (bytes.length === 0) return undefined;
  if (startsWith(bytes, 'WARC/1.0\r\n') || startsWith(bytes, 'WARC/1.1\r\n')) return 'warc';
  if (startsWith(bytes, '%PDF-')) return 'pdf';
  const image = imageTypeOf(bytes);
  if (image === 'image/png') return 'png';
  if (image === 'image/jpeg') return 'jpeg';
  if (!isText(bytes)) return undefined;
  const head = bytes
    .subarray(0, 1024)
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html') ? 'html' : 'text';
}

/** Well-formed UTF-8 without control characters other than tab, line feed, form feed and carriage return. */
function isText(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return false;
  }
  for (const byte of bytes) {
    if ((byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0c && byte !== 0x0d) || byte === 0x7f) return false;
  }
  return true;
}
