/**
 * Opening submissions: an envelope encrypted as the server and the browser encrypt it comes back exactly as written,
 * each failure is named for what it is, and GnuPG 2.2 (what reviewers run) reads the same messages and keys.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateKey } from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptBytes, encryptStream, readRecipientKeys } from './openpgp-messages.ts';
import { EnvelopeWriter, type EnvelopeKind } from './envelope.ts';
import { decryptEnvelope, EnvelopeUnreadable, isPassphraseProtected, readEnvelope, type EnvelopeProblem, type OpenedEnvelope } from './open-envelope.ts';

type Submission = OpenedEnvelope & { kind: EnvelopeKind };

/** The envelope as the intake form writes it, file bytes arriving in uneven chunks. */
function envelopeChunks(submission: Submission): Uint8Array[] {
  const writer = new EnvelopeWriter(randomBytes(16));
  const chunks = [writer.start(submission.kind), writer.text('message', submission.message), writer.text('contact', submission.contact)];
  for (const file of submission.files) {
    chunks.push(writer.fileStart(file.name, file.type));
    for (let at = 0; at < file.bytes.length; at += 1000) chunks.push(writer.fileBytes(file.bytes.subarray(at, at + 1000)));
    chunks.push(writer.fileEnd());
  }
  chunks.push(writer.finish());
  return chunks;
}

function joined(chunks: readonly Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(chunks));
}

async function encryptAsStream(publicKey: string, chunks: readonly Uint8Array[]): Promise<Uint8Array> {
  const plaintext = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  const ciphertext = await encryptStream(await readRecipientKeys([publicKey]), plaintext);
  return new Uint8Array(await new Response(ciphertext).arrayBuffer());
}

async function problemOf(attempt: Promise<unknown>): Promise<EnvelopeProblem | 'opened'> {
  try {
    await attempt;
    return 'opened';
  } catch (error) {
    expect(error).toBeInstanceOf(EnvelopeUnreadable);
    return (error as EnvelopeUnreadable).problem;
  }
}

const everyByte = Uint8Array.from({ length: 512 }, (_, i) => i % 256);

const testimony: Submission = {
  kind: 'testimony',
  message: 'Меня задержали 3 марта у станции метро.\r\nВторая строка — с тире и «кавычками».\n\n-- не подпись\n',
  contact: 'Signal: +7 900 000-00-00',
  files: [
    { name: 'фото допроса.jpg', type: 'image/jpeg', bytes: Uint8Array.from(Buffer.concat([everyByte, randomBytes(70_000)])) },
    { name: 'запись.bin', type: 'application/octet-stream', bytes: Uint8Array.from(randomBytes(57 * 3)) },
  ],
};
const withoutContact: Submission = { ...testimony, kind: 'help', contact: '', files: [{ name: 'empty.txt', type: 'text/plain', bytes: new Uint8Array(0) }] };

describe('opening an envelope', () => {
  const passphrase = 'correct horse battery staple';
  let reviewer: { publicKey: string; privateKey: string };
  let stranger: { publicKey: string; privateKey: string };
  beforeAll(async () => {
    reviewer = await generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: 'Reviewer' }], passphrase, format: 'armored' });
    stranger = await generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: 'Stranger' }], format: 'armored' });
  });

  it('gives back exactly what was written, encrypted whole or as a stream', async () => {
    for (const submission of [testimony, withoutContact]) {
      const chunks = envelopeChunks(submission);
      const plaintext = joined(chunks);
      for (const ciphertext of [
        await encryptBytes(await readRecipientKeys([reviewer.publicKey]), plaintext),
        await encryptAsStream(reviewer.publicKey, chunks),
      ]) {
        const decrypted = await decryptEnvelope(ciphertext, reviewer.privateKey, passphrase);
        expect(Buffer.from(decrypted).equals(Buffer.from(plaintext))).toBe(true);
        expect(await readEnvelope(decrypted)).toEqual(submission);
      }
    }
  });

  it('names the problem: another key, a wrong or missing passphrase, an unreadable key', async () => {
    const ciphertext = await encryptBytes(await readRecipientKeys([reviewer.publicKey]), joined(envelopeChunks(testimony)));
    expect(await problemOf(decryptEnvelope(ciphertext, stranger.privateKey))).toBe('not-for-this-key');
    expect(await problemOf(decryptEnvelope(ciphertext, reviewer.privateKey, 'wrong horse'))).toBe('wrong-passphrase');
    expect(await problemOf(decryptEnvelope(ciphertext, reviewer.privateKey))).toBe('wrong-passphrase');
    for (const notAPrivateKey of [reviewer.publicKey, '', 'hello', reviewer.privateKey.slice(0, 200)]) {
      expect(await problemOf(decryptEnvelope(ciphertext, notAPrivateKey, passphrase))).toBe('key-unreadable');
    }
  });

  it('calls a cut, changed or unencrypted message damaged', async () => {
    const plaintext = joined(envelopeChunks(testimony));
    const ciphertext = await encryptBytes(await readRecipientKeys([reviewer.publicKey]), plaintext);
    const flipped = Uint8Array.from(ciphertext);
    flipped[flipped.length >> 1]! ^= 0x01;
    const flippedAtEnd = Uint8Array.from(ciphertext);
    flippedAtEnd[flippedAtEnd.length - 5]! ^= 0x80;
    for (const damaged of [ciphertext.subarray(0, ciphertext.length - 100), ciphertext.subarray(0, 40), flipped, flippedAtEnd, plaintext, new Uint8Array(0)]) {
      expect(await problemOf(decryptEnvelope(damaged, reviewer.privateKey, passphrase))).toBe('damaged');
    }
  });

  it('reads any MIME a submitter could send: an unknown kind, extra text parts and a forwarded message become files', async () => {
    const mime = [
      'MIME-Version: 1.0',
      'X-Outcry-Kind: <script>',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Disposition: inline; filename="message.txt"',
      '',
      'first',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Disposition: inline; filename="message.txt"',
      '',
      'second',
      '--b',
      'Content-Type: message/rfc822',
      '',
      'Subject: inner',
      '',
      'inner body',
      '--b--',
      '',
    ].join('\r\n');
    const opened = await readEnvelope(new TextEncoder().encode(mime));
    expect(opened.kind).toBe('unknown');
    // 7bit parts keep the line break before the boundary (the envelope's own parts are base64, and exact).
    expect(opened.message.trimEnd()).toBe('first');
    expect(opened.contact).toBe('');
    expect(opened.files.map((file) => [file.name, file.type, Buffer.from(file.bytes).toString().replaceAll('\r\n', '\n').trimEnd()])).toEqual([
      ['message.txt', 'text/plain', 'second'],
      ['file', 'message/rfc822', 'Subject: inner\n\ninner body'],
    ]);
  });
});

/** A reviewer's key made by GnuPG 2.2 in its own home, as `gpg` on their machine would make it. */
interface GpgReviewer {
  home: string;
  passphrase: string;
  publicKey: string;
  secretKey: string;
}

function gpg(reviewer: { home: string; passphrase: string }, args: string[], input?: Uint8Array): Buffer {
  const options = ['--homedir', reviewer.home, '--batch', '--quiet', '--pinentry-mode', 'loopback', '--passphrase', reviewer.passphrase];
  return execFileSync('gpg', [...options, ...args], { input, stdio: ['pipe', 'pipe', 'pipe'] });
}

function makeGpgReviewer(algo: 'future-default' | 'rsa3072', passphrase: string): GpgReviewer {
  const reviewer = { home: mkdtempSync(path.join(tmpdir(), 'outcry-gpg-')), passphrase };
  gpg(reviewer, ['--quick-generate-key', 'Reviewer <reviewer@example.org>', algo, algo === 'future-default' ? 'default' : 'cert,sign', '1y']);
  // future-default is ed25519 with a cv25519 encryption subkey; RSA makes a primary key only: add the subkey a reviewer would.
  if (algo === 'rsa3072') {
    const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(gpg(reviewer, ['--with-colons', '--fingerprint']).toString())![1]!;
    gpg(reviewer, ['--quick-add-key', fingerprint, 'rsa3072', 'encr', '1y']);
  }
  return {
    ...reviewer,
    publicKey: gpg(reviewer, ['--armor', '--export']).toString(),
    secretKey: gpg(reviewer, ['--armor', '--export-secret-keys']).toString(),
  };
}

function removeGpgHome(home: string): void {
  execFileSync('gpgconf', ['--homedir', home, '--kill', 'gpg-agent'], { stdio: 'ignore' });
  rmSync(home, { recursive: true, force: true });
}

describe('GnuPG 2.2 interoperability', () => {
  const reviewers: { label: string; reviewer: GpgReviewer }[] = [];
  beforeAll(() => {
    for (const [label, algo] of [
      ['Curve25519', 'future-default'],
      ['RSA 3072', 'rsa3072'],
    ] as const) {
      reviewers.push({ label: `${label}, no passphrase`, reviewer: makeGpgReviewer(algo, '') });
      reviewers.push({ label: `${label}, passphrase`, reviewer: makeGpgReviewer(algo, `gpg passphrase ${randomBytes(8).toString('hex')}`) });
    }
  }, 120_000);
  afterAll(() => {
    for (const { reviewer } of reviewers) removeGpgHome(reviewer.home);
  });

  it('gpg --decrypt reads what encryptStream wrote, and so does decryptEnvelope with the key gpg exports', async () => {
    const chunks = envelopeChunks(testimony);
    for (const { label, reviewer } of reviewers) {
      const ciphertext = await encryptAsStream(reviewer.publicKey, chunks);
      const byGpg = new Uint8Array(gpg(reviewer, ['--decrypt'], ciphertext));
      expect(await readEnvelope(byGpg), label).toEqual(testimony);
      expect(await isPassphraseProtected(reviewer.secretKey), label).toBe(reviewer.passphrase !== '');
      const byUs = await decryptEnvelope(ciphertext, reviewer.secretKey, reviewer.passphrase || undefined);
      expect(Buffer.from(byUs).equals(Buffer.from(byGpg)), label).toBe(true);
      if (reviewer.passphrase) expect(await problemOf(decryptEnvelope(ciphertext, reviewer.secretKey, 'not it')), label).toBe('wrong-passphrase');
    }
  });
});
