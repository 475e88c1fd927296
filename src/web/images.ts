/**
 * Pictures organisers upload (a target's portrait) are published: whatever the file carries besides the image —
 * camera, date, GPS position, the editor's name — would be published with it. Only JPEG, PNG and WebP are taken and
 * rewritten without any metadata block (web/image-metadata.ts, shared with the intake page's script); a file that does
 * not parse is refused rather than passed through. This is that code's face for the server, over Buffers.
 */
import { imageTypeOf as imageTypeOfBytes, type ImageType, stripImageMetadata as stripBytes } from './image-metadata.ts';

export { IMAGE_EXTENSIONS, type ImageType } from './image-metadata.ts';

export function imageTypeOf(bytes: Buffer): ImageType | undefined {
  return imageTypeOfBytes(bytes);
}

/** The picture without its metadata, or undefined when it is not a well-formed JPEG, PNG or WebP. */
export function stripImageMetadata(bytes: Buffer): { type: ImageType; bytes: Buffer } | undefined {
  const stripped = stripBytes(bytes);
  return stripped && { type: stripped.type, bytes: Buffer.from(stripped.bytes.buffer, stripped.bytes.byteOffset, stripped.bytes.byteLength) };
}
