/**
 * A reviewer reads testimony in the inbox without their private key leaving the browser, in Debian's Chromium under
 * the page's real CSP: testimony sent with JavaScript off (so the server encrypted it) is decrypted on the submission
 * page with a passphrase-protected key from a file; the only requests are GETs of the ciphertext, none carries the key
 * or the passphrase, and the attached file downloads byte for byte. A wrong passphrase or another reader's key is said
 * in words; without JavaScript the page says what it needs and the downloads still work.
 *
 * Skipped, loudly (see test/helpers/global-setup.ts), where Chromium is absent; REQUIRE_BROWSER=1 makes that a failure.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { enums, generateKey } from 'openpgp';
import type { BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase } from '../../src/db/database.ts';
import type { RunningServer } from '../../src/main.ts';
import type { FreshDatabase } from '../helpers/app.ts';
import { makeUser, uniqueSuffix } from '../helpers/factories.ts';
import { expectNoAxeViolations, logInWithPassword, openJourneyBrowser, SLOW, startDemoServer, stopJourney, type JourneyBrowser } from './browser.ts';

const PASSPHRASE = `correct-horse-${uniqueSuffix()}`;
/** Bytes no text decoding would keep as they are, so the download is compared exactly. */
const EVIDENCE = Buffer.from([0x00, 0xff, 0xfe, 0x80, ...Buffer.from('evidence \u2014 not text'), 0x0d, 0x0a, 0x00]);

function recordRequests(page: Page): Request[] {
  const requests: Request[] = [];
  page.on('request', (request) => requests.push(request));
  return requests;
}

/** Adds a reviewer through the owners' page, as on a real site. */
async function addReviewer(admin: Page, name: string, publicKey: string): Promise<void> {
  await admin.goto('/admin/intake/recipients?lang=en');
  await admin.locator('select[name="kind"]').selectOption('reviewer');
  await admin.locator('input[name="name"]').fill(name);
  await admin.locator('textarea[name="description"]').fill(`${name} reads testimony.`);
  await admin.locator('textarea[name="public_key"]').fill(publicKey);
  await admin.locator('form[action="/admin/intake/recipients"] button[type="submit"]').click();
  await admin.waitForURL((url) => url.search === '?done=added');
}

/** Every line of the armored key's body, so a key sent whole, cut up or URL-encoded is still recognised. */
function keyLines(armored: string): string[] {
  return armored.split('\n').filter((line) => line.length >= 20 && !line.startsWith('-----'));
}

function expectCarriesNoSecret(request: Request, secrets: readonly string[]): void {
  const places = [request.url(), decodeURIComponent(request.url()), request.postData() ?? ''];
  for (const secret of secrets) {
    for (const place of places) expect(place.includes(secret), `${request.method()} ${request.url()} carries a secret`).toBe(false);
  }
}

describe.skipIf(!inject('hasBrowser'))('browser journey: reading the inbox in the browser', () => {
  let fresh: FreshDatabase;
  let server: RunningServer;
  let browser: JourneyBrowser | undefined;
  let admin: BrowserContext;
  let keyDir = '';
  let reviewerKeyFile = '';
  let strangerKeyFile = '';
  let argon2KeyFile = '';
  let reviewerKey = '';
  let submissionPath = '';
  const marker = `marker-${uniqueSuffix()}`;
  const contact = `signal-${uniqueSuffix()}`;
  const replyText = `reply-${uniqueSuffix()}`;

  beforeAll(async () => {
    let origin: string;
    ({ fresh, server, origin } = await startDemoServer('web', []));
    const database = openDatabase({ url: fresh.url });
    let owner: { email: string; password: string };
    try {
      owner = await makeUser(database.db, 'owner');
    } finally {
      await database.close();
    }
    const userIDs = [{ name: 'Inbox Reviewer', email: 'reviewer@example.org' }];
    const [reviewer, stranger, argon2Reviewer] = await Promise.all([
      generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs, passphrase: PASSPHRASE, format: 'armored' }),
      generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs, format: 'armored' }),
      // A key protected as OpenPGP.js and newer GnuPG protect keys: unlocking it compiles WebAssembly in the page.
      generateKey({
        type: 'ecc',
        curve: 'curve25519Legacy',
        userIDs,
        passphrase: PASSPHRASE,
        format: 'armored',
        config: { s2kType: enums.s2k.argon2, aeadProtect: true },
      }),
    ]);
    reviewerKey = reviewer.privateKey;
    keyDir = await mkdtemp(path.join(tmpdir(), 'outcry-inbox-'));
    reviewerKeyFile = path.join(keyDir, 'reviewer.asc');
    strangerKeyFile = path.join(keyDir, 'stranger.asc');
    await writeFile(reviewerKeyFile, reviewer.privateKey);
    await writeFile(strangerKeyFile, stranger.privateKey);
    argon2KeyFile = path.join(keyDir, 'argon2-reviewer.asc');
    await writeFile(argon2KeyFile, argon2Reviewer.privateKey);

    browser = await openJourneyBrowser(origin);
    admin = await browser.newContext();
    const page = await admin.newPage();
    await logInWithPassword(page, owner);
    await page.waitForURL((url) => url.pathname === '/admin');
    await addReviewer(page, 'Inbox Reviewer', reviewer.publicKey);
    await addReviewer(page, 'Argon2 Reviewer', argon2Reviewer.publicKey);
    await sendTestimonyWithoutScript();
    submissionPath = `/admin/intake/submissions/${await latestSubmissionId()}`;
    await page.goto(submissionPath);
    await page.locator('textarea[name="reply"]').fill(replyText);
    await page.getByRole('button', { name: 'Encrypt and send the reply' }).click();
    await page.waitForURL((url) => url.search === '?done=replied');
    await page.close();
  }, SLOW);

  afterAll(async () => {
    await stopJourney(browser, server, fresh);
    if (keyDir) await rm(keyDir, { recursive: true, force: true });
  }, SLOW);

  async function sendTestimonyWithoutScript(): Promise<void> {
    const page = await (await browser!.newContext({ javaScriptEnabled: false })).newPage();
    await page.goto('/speak?lang=en');
    await page.locator('#speak-kind-testimony').check();
    await page.locator('#speak-message').fill(`What happened: ${marker}`);
    await page.locator('#speak-contact').fill(contact);
    await page.locator('#speak-files').setInputFiles([{ name: 'evidence.bin', mimeType: 'application/octet-stream', buffer: EVIDENCE }]);
    await page.getByRole('button', { name: 'Encrypt and send' }).click();
    await page.locator('#codename').waitFor({ timeout: 60_000 });
  }

  async function latestSubmissionId(): Promise<number> {
    const database = openDatabase({ url: fresh.url });
    try {
      const row = await database.db.selectFrom('intake_submissions').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow();
      return Number(row.id);
    } finally {
      await database.close();
    }
  }

  /** The submission page, its reading controls shown by the script. */
  async function openSubmission(context: BrowserContext = admin): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${submissionPath}?lang=en`);
    await expect.poll(() => page.locator('#read-key').isVisible()).toBe(true);
    return page;
  }

  async function decryptWith(page: Page, keyFile: string, passphrase: string): Promise<void> {
    await page.locator('#read-key').setInputFiles(keyFile);
    await page.locator('#read-passphrase').fill(passphrase);
    await page.getByRole('button', { name: 'Decrypt here' }).click();
  }

  const status = (page: Page) => page.locator('[data-inbox-read-status]');
  const output = (page: Page) => page.locator('[data-inbox-read-output]');

  it(
    'decrypts testimony sent without JavaScript here; only the ciphertext is fetched, and the file downloads exactly',
    async () => {
      const page = await openSubmission();
      expect(await page.locator('[data-inbox-read-needs-script]').isVisible()).toBe(false);
      expect(await page.locator('.conversation .meta').first().textContent()).toContain('encrypted by the server as it arrived');
      const ciphertextUrls = await page.locator('a[data-ciphertext-url]').evaluateAll((links) => links.map((link) => link.getAttribute('data-ciphertext-url')));
      expect(ciphertextUrls).toHaveLength(2);

      const requests = recordRequests(page);
      await decryptWith(page, reviewerKeyFile, PASSPHRASE);
      await expect.poll(() => status(page).textContent(), { timeout: 60_000 }).toContain('Done.');
      expect(await page.locator('#read-passphrase').inputValue()).toBe('');

      const read = output(page);
      expect(await read.getByRole('heading', { level: 3 }).allTextContents()).toEqual([
        expect.stringMatching(/^Received on /),
        expect.stringMatching(/^Reply sent on /),
      ]);
      expect(await read.textContent()).toContain(`What happened: ${marker}`);
      expect(await read.textContent()).toContain(contact);
      expect(await read.textContent()).toContain(replyText);

      // The decryption's requests: one GET of each message's ciphertext, carrying neither the key nor the passphrase.
      const secrets = [PASSPHRASE, ...keyLines(reviewerKey)];
      for (const request of requests) expectCarriesNoSecret(request, secrets);
      expect(requests.map((request) => `${request.method()} ${new URL(request.url()).pathname}`).sort()).toEqual(
        ciphertextUrls.map((url) => `GET ${url}`).sort(),
      );

      const link = read.getByRole('link', { name: 'evidence.bin' });
      expect(await link.getAttribute('href')).toMatch(/^blob:/);
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      expect(download.suggestedFilename()).toBe('evidence.bin');
      expect((await readFile(await download.path())).equals(EVIDENCE)).toBe(true);
      for (const request of requests) expectCarriesNoSecret(request, secrets);
      expect(requests.every((request) => request.method() === 'GET')).toBe(true);

      // Nothing is kept on the device.
      const kept = await page.evaluate(async () => [localStorage.length, sessionStorage.length, (await indexedDB.databases()).length]);
      expect(kept).toEqual([0, 0, 0]);
    },
    SLOW,
  );

  it(
    'says a wrong passphrase does not unlock the key, and fetches nothing',
    async () => {
      const page = await openSubmission();
      const requests = recordRequests(page);
      await decryptWith(page, reviewerKeyFile, 'not the passphrase');
      await expect.poll(() => status(page).textContent(), { timeout: 60_000 }).toBe('The passphrase does not unlock this key. Type it again.');
      expect(await page.locator('#read-passphrase').inputValue()).toBe('');
      expect(await output(page).textContent()).toBe('');
      expect(requests).toEqual([]);
    },
    SLOW,
  );

  it(
    "unlocks a key protected with Argon2 under the page's policy, which allows WebAssembly and still no eval",
    async () => {
      const page = await openSubmission();
      const policy = (await page.request.get(`${submissionPath}?lang=en`)).headers()['content-security-policy'];
      expect(policy).toContain("script-src 'self' 'wasm-unsafe-eval'");
      expect(policy).not.toContain("'unsafe-eval'");
      await decryptWith(page, argon2KeyFile, PASSPHRASE);
      await expect.poll(() => status(page).textContent(), { timeout: 60_000 }).toContain('Done.');
      expect(await output(page).textContent()).toContain(`What happened: ${marker}`);
    },
    SLOW,
  );

  it(
    "says a message is not encrypted to the key when it is another reader's",
    async () => {
      const page = await openSubmission();
      await decryptWith(page, strangerKeyFile, '');
      await expect.poll(() => status(page).textContent(), { timeout: 60_000 }).toContain('Done.');
      const items = await output(page).locator('li').allTextContents();
      expect(items).toHaveLength(2);
      for (const item of items) expect(item).toContain('Not encrypted to this key');
      expect(await output(page).textContent()).not.toContain(marker);
    },
    SLOW,
  );

  it(
    'without JavaScript, says reading here needs it; the controls cannot be sent and the download still works',
    async () => {
      const page = await (await browser!.newContext({ javaScriptEnabled: false, storageState: await admin.storageState() })).newPage();
      await page.goto(`${submissionPath}?lang=en`);
      expect(await page.locator('[data-inbox-read-needs-script]').isVisible()).toBe(true);
      expect(await page.locator('[data-inbox-read-needs-script]').textContent()).toContain('needs JavaScript');
      expect(await page.locator('#read-key').isVisible()).toBe(false);
      for (const control of ['#read-key', '#read-passphrase']) {
        const where = await page.locator(control).evaluate((input) => ({ name: input.getAttribute('name'), inForm: input.closest('form') !== null }));
        expect(where, control).toEqual({ name: null, inForm: false });
      }
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('a[data-ciphertext-url]').first().click()]);
      expect(download.suggestedFilename()).toMatch(/^outcry-\d+-\d+\.pgp$/);
    },
    SLOW,
  );

  it(
    'passes axe with the decrypted messages shown',
    async () => {
      // axe is injected as an inline script, which the real CSP refuses: this context alone bypasses it.
      const page = await openSubmission(await browser!.newContext({ bypassCSP: true, storageState: await admin.storageState() }));
      await decryptWith(page, reviewerKeyFile, PASSPHRASE);
      await expect.poll(() => status(page).textContent(), { timeout: 60_000 }).toContain('Done.');
      await expectNoAxeViolations(page, 'the submission page, decrypted');
    },
    SLOW,
  );
});
