import { describe, expect, it } from 'vitest';
import { jpegWithMetadata, MARKER, pngWithMetadata, webpWithMetadata } from '../../test/helpers/images.ts';
import { imageTypeOf, stripImageMetadata } from './images.ts';

describe('image metadata', () => {
  it('removes Exif, comments and text from JPEG, PNG and WebP, keeping the picture', () => {
    for (const [file, type] of [
      [jpegWithMetadata(), 'image/jpeg'],
      [pngWithMetadata(), 'image/png'],
      [webpWithMetadata(), 'image/webp'],
    ] as const) {
      expect(file.toString('latin1')).toContain(MARKER);
      const result = stripImageMetadata(file)!;
      expect(result.type).toBe(type);
      expect(result.bytes.toString('latin1')).not.toContain(MARKER);
      expect(result.bytes.toString('latin1')).not.toContain('GPS');
      expect(imageTypeOf(result.bytes)).toBe(type);
    }
    // What stays: the JPEG scan and tables, the PNG image data, the WebP frame with its Exif/XMP flags cleared.
    expect(stripImageMetadata(jpegWithMetadata())!.bytes.subarray(-5)).toEqual(Buffer.from([0x12, 0x34, 0x56, 0xff, 0xd9]));
    expect(stripImageMetadata(pngWithMetadata())!.bytes.toString('latin1')).toContain('IDAT');
    const webp = stripImageMetadata(webpWithMetadata())!.bytes;
    expect(webp[20]! & 0x0c).toBe(0);
    expect(webp.readUInt32LE(4)).toBe(webp.length - 8);
  });

  it('refuses what is not a well-formed picture: SVG, HTML, truncated files, garbage', () => {
    for (const bytes of [
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
      Buffer.from('<!DOCTYPE html><p>hi'),
      jpegWithMetadata().subarray(0, 30),
      pngWithMetadata().subarray(0, 40),
      Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff]),
      Buffer.alloc(0),
    ]) {
      expect(stripImageMetadata(bytes)).toBeUndefined();
    }
  });
});
