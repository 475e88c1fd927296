/**
 * Reading a message from a multipart form as it streams in, and storing only ciphertext.
 *
 * JavaScript off: the form's parts (the person's words, their contact method, files) become the MIME envelope chunk
 * by chunk, OpenPGP.js encrypts each chunk as it comes, and the ciphertext goes to the database in CHUNK_BYTES pieces.
 * Plaintext exists only in the chunk in hand: no temporary file, no whole body in memory, nothing in a log or an error.
 * JavaScript on: the browser sent one part, `ciphertext`; it is checked packet by packet (crypto/openpgp-check.ts) on
 * its way to the database, and anything else — a plaintext field, a message to other keys — is refused.
 */
import { randomBytes } from 'node:crypto';
import type { Multipart, MultipartFile } from '@fastify/multipart';
import type { Key } from 'openpgp';
import type { DatabaseHandle } from '../../db/database.ts';
import { AppError } from '../../errors.ts';
import { backgroundTurn } from '../../web/foreground.ts';
import { CiphertextRefused, EncryptedMessageChecker } from '../../crypto/openpgp-check.ts';
import { encryptStream } from '../../crypto/openpgp-messages.ts';
import { EnvelopeWriter, type EnvelopeKind } from '../../crypto/envelope.ts';
import { CHUNK_BYTES, writeArrivingChunk } from './store.ts';

export type EncryptedBy = 'browser' | 'server';

/** The fields that say where a message goes; they come before anything the person wrote. */
export type RoutingFields = Record<string, string>;

export const MAX_TEXT_CHARS = 100_000;
const MAX_CONTACT_CHARS = 1000;
const MAX_FILES = 20;

export class PartsReader {
  private readonly iterator: AsyncIterator<Multipart>;
  private pending: Multipart | undefined;

  constructor(parts: AsyncIterableIterator<Multipart>) {
    this.iterator = parts[Symbol.asyncIterator]();
  }

  /** Reads plain fields (each at most 200 characters) until the first part that is content, which is kept for later. */
  async routing(names: ReadonlySet<string>): Promise<RoutingFields> {
    const fields: RoutingFields = {};
    for (;;) {
      const part = await this.next();
      if (!part) return fields;
      if (part.type === 'field' && names.has(part.fieldname)) {
        if (typeof part.value !== 'string' || part.value.length > 200 || part.fieldname in fields) throw badForm();
        fields[part.fieldname] = part.value;
        continue;
      }
      this.pending = part;
      return fields;
    }
  }

  async next(): Promise<Multipart | undefined> {
    if (this.pending) {
      const part = this.pending;
      this.pending = undefined;
      return part;
    }
    const result = await asFormError(() => this.iterator.next());
    return result.done ? undefined : result.value;
  }

  /** Empties the rest of the request, so the answer is not sent while the browser is still uploading. */
  async drain(): Promise<void> {
    for (let part = await this.next(); part; part = await this.next()) if (part.type === 'file') part.file.resume();
  }
}

/** A body the multipart parser cannot read (cut off, malformed) is the sender's mistake, not the server's. */
async function asFormError<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw badForm();
  }
}

/**
 * A file part's bytes, with the parser's complaints turned into the form's refusal. Between pieces the event loop gets
 * a turn: parsing, encrypting and storing a piece all run in promise callbacks, and without it one upload's buffered
 * pieces would hold the loop while other requests (a signature, another upload) wait to be read. While a crowd is
 * signing, the turn is a short pause: the upload slows down rather than the crowd.
 */
async function* bytesOf(part: MultipartFile): AsyncGenerator<Buffer> {
  const iterator = (part.file as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  for (;;) {
    const next = await asFormError(() => iterator.next());
    if (next.done) return;
    yield next.value;
    await backgroundTurn();
  }
}

export function badForm(): AppError {
  return new AppError('bad_request', 'The form arrived incomplete or out of order. Please send it again from the page.', { messageKey: 'speak.errors.form' });
}

export function tooLarge(maxBytes: number): AppError {
  return new AppError('payload_too_large', `A message may carry at most ${Math.floor(maxBytes / (1024 * 1024))} MB, files included.`, {
    messageKey: 'speak.errors.tooLarge',
  });
}

function notCiphertext(problem: CiphertextRefused['problem']): AppError {
  return new AppError('bad_request', `The encrypted message was refused (${problem}). Nothing was stored. Please reload the page and send it again.`, {
    messageKey: 'speak.errors.notCiphertext',
  });
}

export interface ReceiveOptions {
  database: DatabaseHandle;
  messageId: number;
  encryptedBy: EncryptedBy;
  kind: EnvelopeKind;
  keys: readonly Key[];
  keyIds: readonly string[];
  maxBytes: number;
}

/** Reads the rest of the form into the message's chunks; returns the ciphertext's size. */
export async function receiveMessage(reader: PartsReader, options: ReceiveOptions): Promise<number> {
  const ciphertext = options.encryptedBy === 'browser' ? checkedCiphertext(reader, options) : await encryptedEnvelope(reader, options);
  return storeChunks(options.database, options.messageId, ciphertext);
}

async function storeChunks(database: DatabaseHandle, messageId: number, ciphertext: AsyncIterable<Uint8Array>): Promise<number> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let seq = 0;
  let size = 0;
  const flush = async () => {
    const data = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    for (let at = 0; at < data.length; at += CHUNK_BYTES) await writeArrivingChunk(database, messageId, seq++, data.subarray(at, at + CHUNK_BYTES));
  };
  for await (const chunk of ciphertext) {
    pending.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    pendingBytes += chunk.byteLength;
    size += chunk.byteLength;
    if (pendingBytes >= CHUNK_BYTES) await flush();
  }
  if (pendingBytes > 0) await flush();
  return size;
}

async function* checkedCiphertext(reader: PartsReader, options: ReceiveOptions): AsyncGenerator<Uint8Array> {
  const part = await reader.next();
  if (part?.type !== 'file' || part.fieldname !== 'ciphertext') throw badForm();
  const checker = new EncryptedMessageChecker(options.keyIds);
  try {
    for await (const chunk of bytesOf(part)) {
      checker.push(chunk);
      yield chunk;
    }
    if (part.file.truncated) throw tooLarge(options.maxBytes);
    checker.finish();
  } catch (error) {
    if (error instanceof CiphertextRefused) throw notCiphertext(error.problem);
    throw error;
  }
  if (await reader.next()) throw badForm();
}

async function encryptedEnvelope(reader: PartsReader, options: ReceiveOptions): Promise<AsyncIterable<Uint8Array>> {
  return (await encryptStream(options.keys, pulledFrom(envelopeOf(reader, options)))) as unknown as AsyncIterable<Uint8Array>;
}

/** A stream that asks the generator for its next chunk only when the encryption wants one: nothing piles up. */
function pulledFrom(source: AsyncGenerator<Uint8Array>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await source.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      async cancel() {
        await source.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
}

/** The MIME envelope, a part at a time, from the form's remaining parts. */
async function* envelopeOf(reader: PartsReader, options: ReceiveOptions): AsyncGenerator<Uint8Array> {
  const writer = new EnvelopeWriter(randomBytes(16));
  const seen = new Set<string>();
  let files = 0;
  let words = 0;
  let content = 0;
  // The limit is on what the person sends (words and files), not on the envelope's base64 and padding.
  const within = (bytes: Uint8Array, contentBytes = 0) => {
    content += contentBytes;
    if (content > options.maxBytes) throw tooLarge(options.maxBytes);
    return bytes;
  };
  yield writer.start(options.kind);
  for (let part = await reader.next(); part; part = await reader.next()) {
    if (part.type === 'field' && (part.fieldname === 'message' || part.fieldname === 'contact') && !seen.has(part.fieldname)) {
      seen.add(part.fieldname);
      if (part.valueTruncated) throw tooLong(part.fieldname);
      const text = typeof part.value === 'string' ? part.value.replace(/\r\n?/g, '\n') : '';
      if (text.length > (part.fieldname === 'message' ? MAX_TEXT_CHARS : MAX_CONTACT_CHARS)) throw tooLong(part.fieldname);
      if (part.fieldname === 'message') words = text.trim().length;
      yield within(writer.text(part.fieldname, text), Buffer.byteLength(text));
    } else if (part.type === 'file' && part.fieldname === 'files' && files < MAX_FILES) {
      if (!part.filename) {
        part.file.resume(); // the empty part a browser sends when no file was chosen
        continue;
      }
      files += 1;
      yield* fileOf(writer, part, within, options.maxBytes);
    } else {
      if (part.type === 'file') part.file.resume();
      throw badForm();
    }
  }
  if (words === 0 && files === 0) throw new AppError('validation_failed', 'Write a message or attach a file.', { messageKey: 'speak.errors.empty' });
  yield writer.finish();
}

async function* fileOf(
  writer: EnvelopeWriter,
  part: MultipartFile,
  within: (bytes: Uint8Array, contentBytes?: number) => Uint8Array,
  maxBytes: number,
): AsyncGenerator<Uint8Array> {
  yield within(writer.fileStart(part.filename, part.mimetype));
  for await (const chunk of bytesOf(part)) yield within(writer.fileBytes(chunk), chunk.length);
  if (part.file.truncated) throw tooLarge(maxBytes);
  yield within(writer.fileEnd());
}

function tooLong(field: 'message' | 'contact'): AppError {
  return new AppError('validation_failed', 'That text is too long.', { messageKey: `speak.errors.${field}TooLong` });
}
