/**
 * A person at risk sends testimony from /speak with JavaScript on, in Debian's Chromium under the page's real CSP:
 * their browser strips the photo's Exif and encrypts everything to the reviewer's key, so what crosses the network
 * and what the server stores is ciphertext only, which the reviewer's private key opens. When encryption cannot
 * happen (a broken key, a photo that does not parse, too much) the page says the message was not sent, and nothing is.
 *
 * Skipped, loudly (see test/helpers/global-setup.ts), where Chromium is absent; REQUIRE_BROWSER=1 makes that a failure.
 */
import { readFileSync } from 'node:fs';
import { decrypt, generateKey, readMessage, readPrivateKey } from 'openpgp';
import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase } from '../../src/db/database.ts';
import { readEnvelope } from '../../src/crypto/open-envelope.ts';
import type { RunningServer } from '../../src/main.ts';
import type { FreshDatabase } from '../helpers/app.ts';
import { makeUser, uniqueSuffix } from '../helpers/factories.ts';
import { filesUnder } from '../helpers/intake.ts';
import { setSwitch } from '../../src/features/switches/switches.ts';
import { logInWithPassword, openJourneyBrowser, SLOW, startDemoServer, stopJourney, type JourneyBrowser } from './browser.ts';

function jpegSegment(marker: number, payload: Buffer): Buffer {
  const header = Buffer.from([0xff, marker, 0, 0]);
  header.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([header, payload]);
}

/** A small JPEG as a camera writes it: JFIF, Exif carrying `secret`, tables, then the scan. */
function jpegWithExif(secret: string): Buffer {
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    jpegSegment(0xe0, Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'latin1')),
    jpegSegment(0xe1, Buffer.from(`Exif\0\0GPS ${secret}`, 'latin1')),
    jpegSegment(0xdb, Buffer.alloc(65, 1)),
    jpegSegment(0xda, Buffer.from([1, 1, 0, 0, 0x3f, 0])),
    Buffer.from([0x12, 0x34, 0x56, 0xff, 0xd9]),
  ]);
}

/** Every request the page makes from now on. */
function recordRequests(page: Page): Request[] {
  const requests: Request[] = [];
  page.on('request', (request) => requests.push(request));
  return requests;
}

/**
 * The body of the page's next POST to `path`, as it leaves the browser. Only interception sees a form's file parts
 * (the request event leaves them out), so the request is held, read, then let through unchanged.
 */
async function interceptPostBody(page: Page, path: string): Promise<{ body: Promise<Buffer> }> {
  let received: (body: Buffer) => void = () => undefined;
  const body = new Promise<Buffer>((resolve) => {
    received = resolve;
  });
  await page.route(`**${path}`, async (route) => {
    if (route.request().method() === 'POST') received(route.request().postDataBuffer() ?? Buffer.alloc(0));
    await route.continue();
  });
  return { body };
}

function armoredKeyPair(name: string): Promise<{ privateKey: string; publicKey: string }> {
  return generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name, email: 'recipient@example.org' }], format: 'armored' });
}

/** Adds a recipient through the owners' page, as on a real site: there is no other way in. */
async function addRecipient(admin: Page, recipient: { kind: 'reviewer' | 'partner'; name: string; publicKey: string }): Promise<void> {
  await admin.goto('/admin/intake/recipients?lang=en');
  await admin.locator('select[name="kind"]').selectOption(recipient.kind);
  await admin.locator('input[name="name"]').fill(recipient.name);
  await admin.locator('textarea[name="description"]').fill(`${recipient.name} helps people leave the region.`);
  await admin.locator('textarea[name="public_key"]').fill(recipient.publicKey);
  await admin.locator('form[action="/admin/intake/recipients"] button[type="submit"]').click();
  await admin.waitForURL((url) => url.search === '?done=added');
}

async function decryptWith(ciphertext: Buffer, armoredKey: string): Promise<Uint8Array> {
  const { data } = await decrypt({
    message: await readMessage({ binaryMessage: ciphertext }),
    decryptionKeys: await readPrivateKey({ armoredKey }),
    format: 'binary',
  });
  return data;
}

describe.skipIf(!inject('hasBrowser'))('browser journey: /speak with JavaScript on', () => {
  let fresh: FreshDatabase;
  let server: RunningServer;
  let browser: JourneyBrowser | undefined;
  let reviewer: { privateKey: string; publicKey: string };
  let partner: { privateKey: string; publicKey: string };
  /** The codename the first message was given, for coming back. */
  let codename = '';
  const logs: string[] = [];

  beforeAll(async () => {
    // 1 MiB a message, so the journey can also be refused for size without building a large file.
    let origin: string;
    ({ fresh, server, origin } = await startDemoServer('web', logs, { INTAKE_MAX_UPLOAD_MB: '1' }));
    const database = openDatabase({ url: fresh.url });
    let owner: { email: string; password: string };
    try {
      owner = await makeUser(database.db, 'owner');
    } finally {
      await database.close();
    }
    [reviewer, partner] = await Promise.all([armoredKeyPair('Journey Reviewer'), armoredKeyPair('Journey Partner')]);
    browser = await openJourneyBrowser(origin);
    const admin = await (await browser.newContext()).newPage();
    await logInWithPassword(admin, owner);
    await admin.waitForURL((url) => url.pathname === '/admin');
    await addRecipient(admin, { kind: 'reviewer', name: 'Journey Reviewer', publicKey: reviewer.publicKey });
    await addRecipient(admin, { kind: 'partner', name: 'Journey Partner', publicKey: partner.publicKey });
  }, SLOW);

  afterAll(() => stopJourney(browser, server, fresh), SLOW);

  /** The ciphertext the server stored for the latest message, its chunks in order. */
  async function latestStoredMessage(): Promise<{ encryptedBy: string; bytes: Buffer }> {
    const database = openDatabase({ url: fresh.url });
    try {
      const latest = await database.db.selectFrom('intake_messages').select(['id', 'encrypted_by', 'state']).orderBy('id', 'desc').executeTakeFirstOrThrow();
      expect(latest.state).toBe('stored');
      const chunks = await database.db.selectFrom('intake_chunks').select('data').where('message_id', '=', latest.id).orderBy('seq').execute();
      return { encryptedBy: latest.encrypted_by, bytes: Buffer.concat(chunks.map((chunk) => chunk.data)) };
    } finally {
      await database.close();
    }
  }

  async function openSpeakPage(lang: 'en' | 'ru'): Promise<Page> {
    const page = await (await browser!.newContext()).newPage();
    await page.goto(`/speak?lang=${lang}`);
    // The script says so once it runs: the browser encrypts.
    const banner = page.locator('#speak-mode');
    await expect.poll(() => banner.textContent()).toBe(await banner.getAttribute('data-browser-text'));
    return page;
  }

  it(
    'encrypts testimony and a stripped photo in the browser; the server receives and stores only ciphertext',
    async () => {
      const page = await openSpeakPage('en');
      const words = `words-${uniqueSuffix()}`;
      const contact = `contact-${uniqueSuffix()}`;
      const exif = `exif-${uniqueSuffix()}`;

      await page.locator('#speak-kind-testimony').check();
      await page.locator('#speak-message').fill(`What happened, in my words: ${words}`);
      await page.locator('#speak-contact').fill(contact);
      await page.locator('#speak-files').setInputFiles([
        { name: 'photo.jpg', mimeType: 'image/jpeg', buffer: jpegWithExif(exif) },
        { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from(`notes ${words}`) },
      ]);
      const requests = recordRequests(page);
      const posted = await interceptPostBody(page, '/speak');
      await page.getByRole('button', { name: 'Encrypt and send' }).click();

      // The body as it left the browser: routing fields and ciphertext, nothing the person wrote or attached.
      const sent = (await posted.body).toString('latin1');
      expect(sent).toContain('name="ciphertext"');
      expect(sent).toMatch(/name="mode"\r\n\r\nbrowser\r\n/);
      expect(sent).toMatch(/name="kind"\r\n\r\ntestimony\r\n/);
      for (const secret of [words, contact, exif, 'name="message"', 'name="contact"', 'name="files"', 'photo.jpg', 'notes.txt']) {
        expect(sent).not.toContain(secret);
      }

      await expect.poll(() => page.locator('#codename').count(), { timeout: 60_000 }).toBe(1);
      expect((await page.locator('#codename').textContent())!.trim().split(/\s+/)).toHaveLength(7);
      // One navigation and the next page's own files: the script itself asked for nothing.
      const posts = requests.filter((request) => request.method() === 'POST');
      expect(posts.map((request) => new URL(request.url()).pathname)).toEqual(['/speak']);
      expect(requests.filter((request) => request.method() !== 'POST').every((request) => new URL(request.url()).pathname.startsWith('/assets/'))).toBe(true);

      const stored = await latestStoredMessage();
      expect(stored.encryptedBy).toBe('browser');
      expect(stored.bytes.toString('latin1')).not.toContain(words);
      const plaintext = await decryptWith(stored.bytes, reviewer.privateKey);
      expect(Buffer.from(plaintext).toString('latin1')).not.toContain(exif);
      const envelope = await readEnvelope(plaintext);
      expect(envelope.kind).toBe('testimony');
      expect(envelope.message).toContain(words);
      expect(envelope.contact).toBe(contact);
      expect(envelope.files.map((file) => [file.name, file.type])).toEqual([
        ['photo.jpg', 'image/jpeg'],
        ['notes.txt', 'text/plain'],
      ]);
      const photo = Buffer.from(envelope.files[0]!.bytes);
      expect(photo.toString('latin1')).not.toContain(exif);
      expect(photo.subarray(-5)).toEqual(Buffer.from([0x12, 0x34, 0x56, 0xff, 0xd9]));
      expect(Buffer.from(envelope.files[1]!.bytes).toString('utf8')).toBe(`notes ${words}`);
      // Nothing the person wrote or attached is anywhere in the data folder (database, log, secrets, mail), nor logged.
      for (const file of filesUnder(fresh.dataDir)) {
        const bytes = readFileSync(file);
        for (const secret of [words, contact, exif]) expect(bytes.includes(Buffer.from(secret)), `${secret} in ${file}`).toBe(false);
      }
      for (const secret of [words, contact, exif]) expect(logs.join('')).not.toContain(secret);

      // Practising the codename is checked on the device: wrong, then right as typed with capitals and hyphens.
      codename = (await page.locator('#codename').textContent())!.trim();
      const practice = recordRequests(page);
      await page.locator('#practice-attempt').fill('not my codename');
      await page.getByRole('button', { name: 'Check' }).click();
      await expect.poll(() => page.getByRole('status').textContent()).toContain('not the same codename');
      await page.locator('#practice-attempt').fill(codename.toUpperCase().replace(/ /g, '-'));
      await page.getByRole('button', { name: 'Check' }).click();
      await expect.poll(() => page.getByRole('status').textContent()).toContain('Correct');
      expect(practice).toEqual([]);
    },
    SLOW,
  );

  it(
    'comes back with the codename and sends a follow-up, encrypted in the browser as well',
    async () => {
      expect(codename, 'the first journey gave a codename').not.toBe('');
      const page = await (await browser!.newContext()).newPage();
      const words = `more-${uniqueSuffix()}`;
      await page.goto('/speak/return?lang=en');
      await page.locator('#return-codename').fill(codename);
      await page.getByRole('button', { name: 'Open' }).click();
      const banner = page.locator('#speak-mode');
      await expect.poll(() => banner.textContent()).toBe(await banner.getAttribute('data-browser-text'));

      await page.locator('#speak-message').fill(`One more thing: ${words}`);
      const posted = await interceptPostBody(page, '/speak/follow-up');
      await page.getByRole('button', { name: 'Encrypt and send' }).click();
      const sent = (await posted.body).toString('latin1');
      expect(sent).toMatch(/name="mode"\r\n\r\nbrowser\r\n/);
      expect(sent).toContain('name="ciphertext"');
      expect(sent).not.toContain(words);
      expect(sent).not.toContain('name="message"');
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 60_000 }).toBe('Sent');

      const stored = await latestStoredMessage();
      expect(stored.encryptedBy).toBe('browser');
      const envelope = await readEnvelope(await decryptWith(stored.bytes, reviewer.privateKey));
      expect(envelope.kind).toBe('follow-up');
      expect(envelope.message).toContain(words);
    },
    SLOW,
  );

  /** Fills the form on a fresh /speak page; `prepare` breaks something first. Returns the page and what it requested. */
  async function sendBroken(lang: 'en' | 'ru', files: Parameters<Page['setInputFiles']>[1], prepare?: (page: Page) => Promise<void>) {
    const page = await openSpeakPage(lang);
    await prepare?.(page);
    await page.locator('#speak-kind-testimony').check();
    await page.locator('#speak-message').fill('This must never leave the browser.');
    await page.locator('#speak-files').setInputFiles(files);
    const requests = recordRequests(page);
    await page.locator('#speak-form button[type="submit"]').click();
    return { page, requests };
  }

  async function expectNothingSent(page: Page, requests: Request[], words: string): Promise<void> {
    await expect.poll(() => page.locator('#speak-status').textContent()).toContain(words);
    expect(requests).toEqual([]);
    expect(await page.locator('input[name="ciphertext"]').count()).toBe(0);
    expect(await page.locator('input[name="mode"]').inputValue()).toBe('server');
    for (const control of ['#speak-message', '#speak-contact', '#speak-files', '#speak-form button[type="submit"]']) {
      expect(await page.locator(control).isEnabled(), control).toBe(true);
    }
  }

  it(
    'says the message was not sent, and sends nothing, when the key is broken (in Russian)',
    async () => {
      const { page, requests } = await sendBroken('ru', [], async (broken) => {
        await broken.evaluate(() => {
          const keys = document.getElementById('speak-keys')!;
          keys.textContent = JSON.stringify({ testimony: ['-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nbroken\n-----END PGP PUBLIC KEY BLOCK-----'], help: {} });
        });
      });
      await expectNothingSent(page, requests, 'НЕ отправлено');
      expect(await page.locator('#speak-status').textContent()).toContain('не удалось его зашифровать');
    },
    SLOW,
  );

  it(
    'refuses a photo that does not parse, naming it, rather than send its metadata',
    async () => {
      const truncated = jpegWithExif('cut-off').subarray(0, 30);
      const { page, requests } = await sendBroken('en', [{ name: 'holiday.jpg', mimeType: 'image/jpeg', buffer: truncated }]);
      await expectNothingSent(page, requests, 'NOT sent');
      expect(await page.locator('#speak-status').textContent()).toContain('“holiday.jpg”');
    },
    SLOW,
  );

  it(
    'refuses, before encrypting, more than the server takes',
    async () => {
      const { page, requests } = await sendBroken('en', [{ name: 'big.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(1024 * 1024 + 1) }]);
      await expectNothingSent(page, requests, 'at most 1 MB');
    },
    SLOW,
  );

  it(
    'asks which organisation should receive a request for help, then encrypts to that organisation alone',
    async () => {
      const page = await openSpeakPage('en');
      const words = `help-${uniqueSuffix()}`;
      await page.locator('#speak-kind-help').check();
      await page.locator('#speak-message').fill(`Please help: ${words}`);
      const requests = recordRequests(page);
      await page.locator('#speak-form button[type="submit"]').click();
      await expectNothingSent(page, requests, 'Choose which organisation');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('partner');

      await page.getByLabel('Journey Partner', { exact: true }).check();
      await page.locator('#speak-form button[type="submit"]').click();
      await expect.poll(() => page.locator('#codename').count(), { timeout: 60_000 }).toBe(1);
      const stored = await latestStoredMessage();
      expect(stored.encryptedBy).toBe('browser');
      const envelope = await readEnvelope(await decryptWith(stored.bytes, partner.privateKey));
      expect(envelope.kind).toBe('help');
      expect(envelope.message).toContain(words);
      await expect(decryptWith(stored.bytes, reviewer.privateKey)).rejects.toThrow();
    },
    SLOW,
  );

  it(
    'solves the puzzle while it encrypts when the proof-of-work switch is on',
    async () => {
      const database = openDatabase({ url: fresh.url });
      try {
        await setSwitch(database.db, 'intakeProofOfWork', true);
        const page = await openSpeakPage('en');
        // Every process re-reads the switches within a second.
        await expect
          .poll(async () => {
            await page.reload();
            return page.locator('#speak-form').getAttribute('data-pow-bits');
          })
          .toBe('16');
        await page.locator('#speak-kind-testimony').check();
        await page.locator('#speak-message').fill('sent while the site is under attack');
        await page.getByRole('button', { name: 'Encrypt and send' }).click();
        await expect.poll(() => page.locator('#codename').count(), { timeout: 60_000 }).toBe(1);
        expect((await latestStoredMessage()).encryptedBy).toBe('browser');
      } finally {
        await setSwitch(database.db, 'intakeProofOfWork', false);
        await database.close();
      }
    },
    SLOW,
  );
});
