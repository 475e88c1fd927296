/** The check of browser ciphertext: whole OpenPGP messages to exactly the expected keys pass, in any slicing; nothing else does. */
import fc from 'fast-check';
import { createMessage, encrypt, generateKey, readKey } from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import { CiphertextRefused, EncryptedMessageChecker } from './openpgp-check.ts';
import { encryptionKeyIds, encryptBytes, readRecipientKeys } from './openpgp-messages.ts';

let keys: Awaited<ReturnType<typeof readRecipientKeys>>;
let ids: string[];

beforeAll(async () => {
  const pairs = await Promise.all(['A', 'B'].map((name) => generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name }], format: 'armored' })));
  keys = await readRecipientKeys(pairs.map((p) => p.publicKey));
  ids = await encryptionKeyIds(keys);
});

function check(bytes: Uint8Array, keyIds: readonly string[], sliceAt: number[] = []): void {
  const checker = new EncryptedMessageChecker(keyIds);
  let at = 0;
  for (const end of [...sliceAt.filter((n) => n < bytes.length).sort((a, b) => a - b), bytes.length]) {
    checker.push(bytes.subarray(at, end));
    at = end;
  }
  checker.finish();
}

describe('EncryptedMessageChecker', () => {
  it('passes a message to exactly the expected keys, however the bytes arrive', async () => {
    const message = await encryptBytes(keys, new Uint8Array(100_000).fill(7));
    check(message, ids);
    await fc.assert(fc.asyncProperty(fc.array(fc.nat({ max: message.length }), { maxLength: 40 }), async (cuts) => check(message, ids, cuts)));
  });

  it('passes a long message in partial-length packets, as OpenPGP.js streams it', async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 40; i++) controller.enqueue(new Uint8Array(64 * 1024).fill(i));
        controller.close();
      },
    });
    const encrypted = await encrypt({ message: await createMessage({ binary: stream }), encryptionKeys: keys, format: 'binary' });
    const chunks: Uint8Array[] = [];
    for await (const chunk of encrypted as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
    check(Buffer.concat(chunks), ids);
  });

  it('refuses plaintext, other recipients, an extra or missing recipient, a cut or a tail', async () => {
    const message = await encryptBytes(keys, new TextEncoder().encode('hello'));
    const stranger = await readKey({
      armoredKey: (await generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: 'C' }], format: 'armored' })).publicKey,
    });
    const cases: Array<[Uint8Array, readonly string[], CiphertextRefused['problem']]> = [
      [new TextEncoder().encode('hello, this is plaintext'), ids, 'not-openpgp'],
      [new TextEncoder().encode('-----BEGIN PGP MESSAGE-----\n\nwcBMA...'), ids, 'not-openpgp'],
      [await encryptBytes([stranger], new Uint8Array(10)), ids, 'wrong-recipients'],
      [await encryptBytes([...keys, stranger], new Uint8Array(10)), ids, 'wrong-recipients'],
      [await encryptBytes([keys[0]!], new Uint8Array(10)), ids, 'wrong-recipients'],
      [message.subarray(0, message.length - 5), ids, 'truncated'],
      [Buffer.concat([message, Buffer.from([0xc1, 0x01, 0x00])]), ids, 'not-openpgp'],
      [new Uint8Array(0), ids, 'not-openpgp'],
    ];
    for (const [bytes, expected, problem] of cases) {
      let refused: unknown;
      try {
        check(bytes, expected);
      } catch (error) {
        refused = error;
      }
      expect(refused, problem).toBeInstanceOf(CiphertextRefused);
      expect((refused as CiphertextRefused).problem).toBe(problem);
    }
  });

  it('never throws anything but a refusal, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        try {
          check(bytes, ids);
        } catch (error) {
          expect(error).toBeInstanceOf(CiphertextRefused);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
