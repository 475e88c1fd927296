/** The plaintext envelope: a MIME message any reader opens, padded so that its size says little. */
import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { EnvelopeWriter, MIN_ENVELOPE_BYTES, paddedLength } from './envelope.ts';

describe('the envelope', () => {
  it('pads to Padmé sizes: at most 12 % more, and every short message the same size', () => {
    expect(paddedLength(1)).toBe(MIN_ENVELOPE_BYTES);
    expect(paddedLength(MIN_ENVELOPE_BYTES)).toBe(MIN_ENVELOPE_BYTES);
    for (const length of [16_385, 20_000, 123_457, 1_000_000, 99_999_999]) {
      const padded = paddedLength(length);
      expect(padded).toBeGreaterThanOrEqual(length);
      expect(padded / length).toBeLessThan(1.12);
    }
    // Lengths close together share a size.
    expect(paddedLength(1_000_000)).toBe(paddedLength(1_000_100));
  });

  it('carries text and files whatever their bytes, written in arbitrary slices, at its padded length', async () => {
    const writer = new EnvelopeWriter(new Uint8Array(16).fill(9));
    const file = new Uint8Array(70_001).map((_, i) => (i * 31) % 256);
    const parts = [
      writer.start('help'),
      writer.text('message', 'Помогите\r\n--outcry-'),
      writer.fileStart('../../etc/pass"wd\u0000.jpg', 'image/jpeg; evil=1'),
    ];
    for (let at = 0; at < file.length; at += 1000 + (at % 7)) parts.push(writer.fileBytes(file.subarray(at, at + 1000 + (at % 7))));
    parts.push(writer.fileEnd(), writer.finish());
    const bytes = Buffer.concat(parts);
    expect(bytes.length).toBe(paddedLength(bytes.length));
    expect(bytes.every((byte) => byte < 128)).toBe(true);
    const email = await PostalMime.parse(bytes);
    expect(email.subject).toBe('Request for help');
    expect(email.text).toContain('Помогите');
    const [attachment] = email.attachments;
    expect(attachment!.filename).toBe('.._.._etc_pass"wd_.jpg');
    expect(attachment!.mimeType).toBe('application/octet-stream');
    expect(Buffer.from(attachment!.content as ArrayBuffer).equals(Buffer.from(file))).toBe(true);
  });
});
