/**
 * Checks, as the bytes stream in, that what a browser sent as ciphertext is an OpenPGP message encrypted to exactly
 * the expected keys and nothing else: one public-key session key packet (version 3) per expected key, each for a
 * different one of them, then one integrity-protected data packet (version 1, what GnuPG 2.2 reads) that runs to the
 * last byte. Plaintext, a message to someone else, a message with an extra recipient or anything after the data is
 * refused. Only the packet framing is read (RFC 4880 §4.2), so the check holds a few bytes whatever the size.
 */

export type CiphertextProblem = 'not-openpgp' | 'wrong-recipients' | 'unsupported' | 'truncated';

export class CiphertextRefused extends Error {
  constructor(readonly problem: CiphertextProblem) {
    super(`The upload is not an OpenPGP message for the expected keys: ${problem}`);
    this.name = 'CiphertextRefused';
  }
}

const TAG_PKESK = 1;
const TAG_SEIPD = 18;
const MAX_PKESK_BODY = 4096;
// Version byte, the random prefix (block size + 2) and the modification detection code packet (22 bytes).
const MIN_SEIPD_BODY = 1 + 18 + 22;

type State =
  | { at: 'header' }
  | { at: 'session-key'; remaining: number; body: number[] }
  | { at: 'data'; remaining: number; partial: boolean; seen: number }
  | { at: 'data-length'; seen: number }
  | { at: 'end' };

export class EncryptedMessageChecker {
  private state: State = { at: 'header' };
  private header: number[] = [];
  private readonly expected: Set<string>;
  private readonly found = new Set<string>();

  /** keyIds: the 16-hex-digit ids of the recipients' encryption keys (any case). */
  constructor(keyIds: readonly string[]) {
    this.expected = new Set(keyIds.map((id) => id.toLowerCase()));
  }

  /** Reads the next bytes; throws CiphertextRefused at the first byte that cannot belong to such a message. */
  push(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      const state = this.state;
      if (state.at === 'end') throw new CiphertextRefused('not-openpgp');
      if (state.at === 'session-key' || state.at === 'data') {
        const take = Math.min(state.remaining, chunk.length - at);
        if (state.at === 'session-key') for (let i = 0; i < take; i++) state.body.push(chunk[at + i]!);
        else {
          if (state.seen === 0 && take > 0 && chunk[at] !== 1) throw new CiphertextRefused('unsupported');
          state.seen += take;
        }
        state.remaining -= take;
        at += take;
        if (state.remaining === 0) this.endOfBody();
        continue;
      }
      this.header.push(chunk[at]!);
      at += 1;
      if (state.at === 'header') this.readPacketHeader();
      else this.readDataLength(state.seen);
    }
  }

  /** After the last byte: throws unless the message was whole and for exactly the expected keys. */
  finish(): void {
    const state = this.state;
    if (state.at !== 'end')
      throw new CiphertextRefused(this.found.size === 0 && state.at === 'header' && this.header.length === 0 ? 'not-openpgp' : 'truncated');
  }

  private readPacketHeader(): void {
    const [first, ...rest] = this.header;
    if (first === undefined || (first & 0x80) === 0) throw new CiphertextRefused('not-openpgp');
    const newFormat = (first & 0x40) !== 0;
    const tag = newFormat ? first & 0x3f : (first >> 2) & 0x0f;
    let length: { value: number; partial: boolean } | undefined;
    if (newFormat) length = newFormatLength(rest);
    else {
      const lengthType = first & 0x03;
      if (lengthType === 3) throw new CiphertextRefused('unsupported');
      const size = [1, 2, 4][lengthType]!;
      if (rest.length === size) length = { value: rest.reduce((sum, byte) => sum * 256 + byte, 0), partial: false };
    }
    if (!length) return;
    this.header = [];
    this.startPacket(tag, length);
  }

  private startPacket(tag: number, length: { value: number; partial: boolean }): void {
    if (tag === TAG_PKESK) {
      if (length.partial || length.value > MAX_PKESK_BODY || length.value < 10) throw new CiphertextRefused('not-openpgp');
      this.state = { at: 'session-key', remaining: length.value, body: [] };
    } else if (tag === TAG_SEIPD) {
      if (this.found.size !== this.expected.size) throw new CiphertextRefused('wrong-recipients');
      this.state = { at: 'data', remaining: length.value, partial: length.partial, seen: 0 };
      if (length.value === 0) this.endOfBody();
    } else {
      throw new CiphertextRefused(tag === 0 ? 'not-openpgp' : 'unsupported');
    }
  }

  private endOfBody(): void {
    const state = this.state;
    if (state.at === 'session-key') {
      if (state.body[0] !== 3) throw new CiphertextRefused('unsupported');
      const keyId = state.body
        .slice(1, 9)
        .map((byte) => byte.toString(16).padStart(2, '0'))
        .join('');
      if (!this.expected.has(keyId) || this.found.has(keyId)) throw new CiphertextRefused('wrong-recipients');
      this.found.add(keyId);
      this.state = { at: 'header' };
    } else if (state.at === 'data') {
      if (state.partial) this.state = { at: 'data-length', seen: state.seen };
      else if (state.seen < MIN_SEIPD_BODY) throw new CiphertextRefused('truncated');
      else this.state = { at: 'end' };
    }
  }

  private readDataLength(seen: number): void {
    const length = newFormatLength(this.header);
    if (!length) return;
    this.header = [];
    this.state = { at: 'data', remaining: length.value, partial: length.partial, seen };
    if (length.value === 0) this.endOfBody();
  }
}

/** A new-format length (RFC 4880 §4.2.2) from the bytes read so far, or undefined while more are needed. */
function newFormatLength(bytes: readonly number[]): { value: number; partial: boolean } | undefined {
  const [first, second, ...rest] = bytes;
  if (first === undefined) return undefined;
  if (first < 192) return { value: first, partial: false };
  if (first < 224) return second === undefined ? undefined : { value: ((first - 192) << 8) + second + 192, partial: false };
  if (first < 255) return { value: 2 ** (first & 0x1f), partial: true };
  if (second === undefined || rest.length < 3) return undefined;
  return { value: [second, ...rest.slice(0, 3)].reduce((sum, byte) => sum * 256 + byte, 0), partial: false };
}
