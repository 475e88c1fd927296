/**
 * A person at risk sends testimony from /speak with JavaScript off, as Tor Browser's Safest level leaves it: the form
 * posts what they wrote and the server encrypts it as it streams in. They are given a codename, practise it by form
 * posts, come back with it to read a reviewer's reply (never their own words) and send more. Their browser is given no
 * cookie and asks no other origin for anything the whole way, and the server's logs hold nothing anyone wrote.
 *
 * Skipped, loudly (see test/helpers/global-setup.ts), where Chromium is absent; REQUIRE_BROWSER=1 makes that a failure.
 */
import { decrypt, generateKey, readKey, readMessage, readPrivateKey } from 'openpgp';
import type { BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { groupedFingerprint } from '../../src/crypto/openpgp-keys.ts';
import { readEnvelope, type OpenedEnvelope } from '../../src/crypto/open-envelope.ts';
import { openDatabase } from '../../src/db/database.ts';
import en from '../../src/features/intake/locales/en.json' with { type: 'json' };
import ru from '../../src/features/intake/locales/ru.json' with { type: 'json' };
import type { RunningServer } from '../../src/main.ts';
import type { FreshDatabase } from '../helpers/app.ts';
import { makeUser, uniqueSuffix } from '../helpers/factories.ts';
import { expectNoAxeViolations, logInWithPassword, openJourneyBrowser, SLOW, startDemoServer, stopJourney, type JourneyBrowser } from './browser.ts';

const TEXT = { en: en.speak, ru: ru.speak };
const QUICK_EXIT_URL = 'https://www.example.org/weather-today';

/** Does what navigates the page (a link, a form's button) and returns the HTTP status of the page it led to. */
async function statusAfter(page: Page, action: () => Promise<void>): Promise<number> {
  const [response] = await Promise.all([page.waitForResponse((r) => r.request().isNavigationRequest() && r.frame() === page.mainFrame()), action()]);
  await page.waitForLoadState();
  return response.status();
}

async function storedEnvelopes(
  url: string,
  submissionId: number,
  privateKey: string,
): Promise<{ author: string; encryptedBy: string; ciphertext: Buffer; envelope: OpenedEnvelope }[]> {
  const database = openDatabase({ url });
  try {
    const messages = await database.db
      .selectFrom('intake_messages')
      .select(['id', 'author', 'encrypted_by'])
      .where('submission_id', '=', submissionId)
      .where('state', '=', 'stored')
      .orderBy('id')
      .execute();
    const decryptionKeys = await readPrivateKey({ armoredKey: privateKey });
    return await Promise.all(
      messages.map(async (message) => {
        const chunks = await database.db.selectFrom('intake_chunks').select('data').where('message_id', '=', message.id).orderBy('seq').execute();
        const ciphertext = Buffer.concat(chunks.map((chunk) => chunk.data));
        const { data } = await decrypt({ message: await readMessage({ binaryMessage: ciphertext }), decryptionKeys, format: 'binary' });
        return { author: message.author, encryptedBy: message.encrypted_by, ciphertext, envelope: await readEnvelope(data) };
      }),
    );
  } finally {
    await database.close();
  }
}

describe.skipIf(!inject('hasBrowser'))('browser journey: /speak with JavaScript off', () => {
  const logs: string[] = [];
  let fresh: FreshDatabase;
  let server: RunningServer;
  let origin: string;
  let browser: JourneyBrowser | undefined;
  let reviewer: { privateKey: string; publicKey: string };
  let owner: { email: string; password: string };
  /** The organiser's tab, logged in, scripts on. */
  let admin: Page;
  /** The person's browser: scripts off, and everything it asks for and is answered, recorded from the first page. */
  let person: BrowserContext;
  let tab: Page;
  const requests: Request[] = [];
  const setCookies: Promise<string | null>[] = [];

  const testimony = `testimony-${uniqueSuffix()}`;
  const attached = `attached-${uniqueSuffix()}`;
  const reply = `reply-${uniqueSuffix()}`;
  const followUp = `follow-up-${uniqueSuffix()}`;
  const checked = `checked-${uniqueSuffix()}`;
  let codename = '';
  /** The codename of the message sent only to check the codename page's accessibility. */
  let checkedCodename = '';
  let submissionPath = '';

  beforeAll(async () => {
    ({ fresh, server, origin } = await startDemoServer('web', logs, { INTAKE_QUICK_EXIT_URL: QUICK_EXIT_URL }));
    const database = openDatabase({ url: fresh.url });
    try {
      owner = await makeUser(database.db, 'owner');
    } finally {
      await database.close();
    }
    reviewer = await generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ name: 'No-script Reviewer', email: 'reviewer@example.org' }],
      format: 'armored',
    });
    browser = await openJourneyBrowser(origin);
    admin = await (await browser.newContext()).newPage();
    await logInWithPassword(admin, owner);
    await admin.waitForURL((url) => url.pathname === '/admin');

    person = await browser.newContext({ javaScriptEnabled: false });
    person.on('request', (request) => requests.push(request));
    person.on('response', (response) => setCookies.push(response.headerValue('set-cookie')));
    tab = await person.newPage();
  }, SLOW);

  afterAll(() => stopJourney(browser, server, fresh), SLOW);

  /** What the person's browser was given to keep, and where it went, up to `step`: no cookie, no other origin. */
  async function expectNothingKeptNorLeaked(step: string): Promise<void> {
    expect(await person.cookies(), `cookies in the person's browser after ${step}`).toEqual([]);
    expect(
      (await Promise.all(setCookies)).filter((header) => header !== null),
      `Set-Cookie headers up to ${step}`,
    ).toEqual([]);
    const elsewhere = requests.map((request) => request.url()).filter((url) => new URL(url).origin !== origin);
    expect(elsewhere, `requests to another origin than ${origin} up to ${step}`).toEqual([]);
  }

  /** What every intake page carries: the neutral title, the language, and a quick exit that needs no script. */
  async function expectIntakePage(page: Page, locale: 'en' | 'ru'): Promise<void> {
    expect(await page.title()).toBe(TEXT[locale].pageTitle);
    expect(await page.locator('html').getAttribute('lang')).toBe(locale);
    const exit = page.getByRole('link', { name: TEXT[locale].quickExit, exact: true });
    expect(await exit.isVisible()).toBe(true);
    expect(await exit.getAttribute('href')).toBe(QUICK_EXIT_URL);
    expect(await exit.evaluate((link) => [link.tagName, link.getAttribute('onclick'), link.getAttribute('target')])).toEqual(['A', null, null]);
  }

  function send(page: Page): Promise<number> {
    return statusAfter(page, () => page.getByRole('button', { name: TEXT.en.send, exact: true }).click());
  }

  it(
    'the organiser adds a reviewer by the key made for this journey',
    async () => {
      await admin.goto('/admin/intake/recipients?lang=en');
      await admin.locator('select[name="kind"]').selectOption('reviewer');
      await admin.locator('input[name="name"]').fill('No-script Reviewer');
      await admin.locator('textarea[name="description"]').fill('Reads testimony sent from the region.');
      await admin.locator('textarea[name="public_key"]').fill(reviewer.publicKey);
      await admin.locator('form[action="/admin/intake/recipients"] button[type="submit"]').click();
      await admin.waitForURL((url) => url.search === '?done=added');
      expect(await admin.getByText('No-script Reviewer', { exact: true }).count()).toBeGreaterThan(0);
    },
    SLOW,
  );

  it(
    'shows /speak without scripts: the server-encryption banner, a plain quick exit, the reviewer, in English and Russian',
    async () => {
      expect((await tab.goto('/speak?lang=en'))?.status()).toBe(200);
      await expectIntakePage(tab, 'en');
      // The banner the script would have replaced stays: the page tells the truth about who encrypts.
      expect(await tab.locator('#speak-mode').textContent()).toBe(TEXT.en.modeServer);
      const fingerprint = (await readKey({ armoredKey: reviewer.publicKey })).getFingerprint().toUpperCase();
      expect(await tab.locator('.readers').first().textContent()).toContain(groupedFingerprint(fingerprint));
      await expectNothingKeptNorLeaked('opening /speak');

      expect((await tab.goto('/speak?lang=ru'))?.status()).toBe(200);
      await expectIntakePage(tab, 'ru');
      expect(await tab.locator('#speak-mode').textContent()).toBe(TEXT.ru.modeServer);
      expect(await tab.getByRole('button', { name: TEXT.ru.send, exact: true }).isVisible()).toBe(true);
      await expectNothingKeptNorLeaked('opening /speak in Russian');
    },
    SLOW,
  );

  it(
    'sends testimony with a file, which the form posts for the server to encrypt, and gives a codename to practise',
    async () => {
      expect((await tab.goto('/speak?lang=en'))?.status()).toBe(200);
      await tab.getByRole('radio', { name: TEXT.en.kindTestimony }).check();
      await tab.getByLabel(TEXT.en.message, { exact: true }).fill(`What happened, in my words: ${testimony}`);
      await tab
        .getByLabel(TEXT.en.files, { exact: true })
        .setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from(`notes ${attached}`) });
      expect(await send(tab)).toBe(200);
      expect(requests.filter((request) => request.method() === 'POST').map((request) => new URL(request.url()).pathname)).toEqual(['/speak']);

      expect(await tab.getByRole('heading', { level: 1 }).textContent()).toBe(TEXT.en.sentTitle);
      await expectIntakePage(tab, 'en');
      codename = (await tab.locator('#codename').textContent())!.trim();
      expect(codename.split(/\s+/)).toHaveLength(7);
      await expectNothingKeptNorLeaked('sending');

      const practice = tab.getByLabel(TEXT.en.practiceLabel, { exact: true });
      const check = () => tab.getByRole('button', { name: TEXT.en.practiceCheck, exact: true }).click();
      await practice.fill('not my codename at all');
      expect(await statusAfter(tab, check)).toBe(200);
      expect(new URL(tab.url()).pathname).toBe('/speak/practice');
      expect(await tab.getByRole('alert').textContent()).toContain('That is not the same codename');
      expect((await tab.locator('#codename').textContent())!.trim()).toBe(codename);
      await expectNothingKeptNorLeaked('a wrong practice attempt');

      await practice.fill(codename);
      expect(await statusAfter(tab, check)).toBe(200);
      expect(await tab.getByRole('status').textContent()).toContain('Correct.');
      await expectIntakePage(tab, 'en');
      await expectNothingKeptNorLeaked('a right practice attempt');
    },
    SLOW,
  );

  it(
    'the organiser replies from the inbox',
    async () => {
      await admin.goto('/admin/intake?lang=en');
      const submissions = admin.getByRole('link', { name: /^Submission \d+ of / });
      expect(await submissions.count()).toBe(1);
      await submissions.click();
      await admin.waitForURL((url) => /^\/admin\/intake\/submissions\/\d+$/.test(url.pathname));
      submissionPath = new URL(admin.url()).pathname;
      await admin.getByLabel('Your reply', { exact: true }).fill(`We have read it and will write again. ${reply}`);
      await admin.getByRole('button', { name: 'Encrypt and send the reply', exact: true }).click();
      await admin.waitForURL((url) => url.search === '?done=replied');
      expect(await admin.getByText('The reply is encrypted and stored.').isVisible()).toBe(true);
    },
    SLOW,
  );

  it(
    'comes back with the codename: sees the reply, not what they sent, and sends a follow-up',
    async () => {
      expect(codename, 'the sending step gave a codename').not.toBe('');
      expect((await tab.goto('/speak?lang=en'))?.status()).toBe(200);
      expect(await statusAfter(tab, () => tab.getByRole('link', { name: TEXT.en.haveCodename, exact: true }).click())).toBe(200);
      expect(new URL(tab.url()).pathname).toBe('/speak/return');
      await expectIntakePage(tab, 'en');
      await tab.getByLabel(TEXT.en.codenameLabel, { exact: true }).fill(codename);
      expect(await statusAfter(tab, () => tab.getByRole('button', { name: TEXT.en.open, exact: true }).click())).toBe(200);

      // A POST: the codename is never in an address.
      expect(new URL(tab.url()).search).toBe('');
      expect(await tab.getByRole('heading', { level: 1 }).textContent()).toBe(TEXT.en.conversationTitle);
      await expectIntakePage(tab, 'en');
      expect(await tab.locator('.conversation > li').evaluateAll((items) => items.map((item) => item.className))).toEqual(['sent', 'reply']);
      expect(await tab.locator('.conversation .reply-text').textContent()).toContain(reply);
      expect(await tab.locator('.conversation > li.sent').textContent()).toContain('You sent a message');
      const html = await tab.content();
      expect(html).not.toContain(testimony);
      expect(html).not.toContain(attached);
      expect(await tab.locator('#speak-mode').textContent()).toBe(TEXT.en.modeServer);
      await expectNothingKeptNorLeaked('opening the conversation');

      await tab.getByLabel(TEXT.en.message, { exact: true }).fill(`One more thing: ${followUp}`);
      expect(await send(tab)).toBe(200);
      expect(new URL(tab.url()).pathname).toBe('/speak/follow-up');
      expect(await tab.getByRole('heading', { level: 1 }).textContent()).toBe(TEXT.en.followUpSentTitle);
      await expectIntakePage(tab, 'en');
      await expectNothingKeptNorLeaked('sending a follow-up');
    },
    SLOW,
  );

  it(
    'the organiser sees three messages, each encrypted to the reviewer, none stored readable',
    async () => {
      expect(submissionPath, 'the reply step found the submission').not.toBe('');
      await admin.goto(`${submissionPath}?lang=en`);
      const messages = admin.locator('ol.conversation > li');
      expect(await messages.evaluateAll((items) => items.map((item) => item.className))).toEqual(['sent', 'reply', 'sent']);
      for (const index of [0, 2]) expect(await messages.nth(index).textContent()).toContain('(encrypted by the server as it arrived)');

      const stored = await storedEnvelopes(fresh.url, Number(submissionPath.split('/').pop()), reviewer.privateKey);
      expect(stored.map(({ author, encryptedBy, envelope }) => [author, encryptedBy, envelope.kind])).toEqual([
        ['sender', 'server', 'testimony'],
        ['reviewer', 'server', 'reply'],
        ['sender', 'server', 'follow-up'],
      ]);
      expect(stored[0]!.envelope.message).toContain(testimony);
      expect(stored[0]!.envelope.files.map((file) => [file.name, file.type, Buffer.from(file.bytes).toString('utf8')])).toEqual([
        ['notes.txt', 'text/plain', `notes ${attached}`],
      ]);
      expect(stored[1]!.envelope.message).toContain(reply);
      expect(stored[2]!.envelope.message).toContain(followUp);
      expect(stored[2]!.envelope.files).toEqual([]);
      for (const { ciphertext } of stored) {
        for (const secret of [testimony, attached, reply, followUp]) expect(ciphertext.toString('latin1')).not.toContain(secret);
      }
    },
    SLOW,
  );

  it(
    'passes axe (WCAG 2.2 A and AA) on /speak in both languages, the codename page and the conversation page without scripts',
    async () => {
      // axe needs script (in a context with JavaScript off its timers never fire), so these pages are opened where
      // scripts run but the page's own is refused, as journey.test.ts does: the documents a browser without scripts gets.
      const context = await browser!.newContext({ bypassCSP: true });
      let refused = 0;
      await context.route(/\/assets\/speak\.[0-9a-f]+\.js$/, async (route) => {
        refused += 1;
        await route.abort();
      });
      const page = await context.newPage();
      for (const locale of ['en', 'ru'] as const) {
        expect((await page.goto(`/speak?lang=${locale}`))?.status()).toBe(200);
        expect(await page.locator('#speak-mode').textContent()).toBe(TEXT[locale].modeServer);
        await expectNoAxeViolations(page, `/speak without scripts (${locale})`);
      }

      // A second message, for a fresh codename page; the person's own conversation is only read, below.
      await page.getByRole('link', { name: 'English', exact: true }).click();
      await page.waitForURL((url) => url.search === '?lang=en');
      await page.getByRole('radio', { name: TEXT.en.kindTestimony }).check();
      await page.getByLabel(TEXT.en.message, { exact: true }).fill(`Sent to check the pages: ${checked}`);
      expect(await send(page)).toBe(200);
      checkedCodename = (await page.locator('#codename').textContent())!.trim();
      await expectNoAxeViolations(page, 'the codename page without scripts');
      await page.getByLabel(TEXT.en.practiceLabel, { exact: true }).fill('not my codename at all');
      expect(await statusAfter(page, () => page.getByRole('button', { name: TEXT.en.practiceCheck, exact: true }).click())).toBe(200);
      await expectNoAxeViolations(page, 'the codename page after a wrong attempt');

      expect((await page.goto('/speak/return?lang=en'))?.status()).toBe(200);
      await expectNoAxeViolations(page, 'the codename form');
      await page.getByLabel(TEXT.en.codenameLabel, { exact: true }).fill(codename);
      expect(await statusAfter(page, () => page.getByRole('button', { name: TEXT.en.open, exact: true }).click())).toBe(200);
      expect(await page.locator('.conversation > li').evaluateAll((items) => items.map((item) => item.className))).toEqual(['sent', 'reply', 'sent']);
      await expectNoAxeViolations(page, 'the conversation page without scripts');
      expect(refused, 'the page script was asked for, and refused').toBeGreaterThan(0);
    },
    SLOW,
  );

  it('kept nothing in the person’s browser, sent it nowhere else, and logged nothing anyone wrote', async () => {
    await expectNothingKeptNorLeaked('the whole journey');
    expect(requests.length).toBeGreaterThan(0);
    const logged = logs.join('\n');
    expect(codename, 'the sending step gave a codename').not.toBe('');
    const codenames = [codename, checkedCodename].filter((name) => name !== '');
    for (const secret of [testimony, attached, reply, followUp, checked, ...codenames, ...codenames.map((name) => name.replace(/ /g, '-'))]) {
      expect(logged, 'the server logs').not.toContain(secret);
    }
    expect(logs.filter((line) => /"level":"(error|fatal)"/.test(line))).toEqual([]);
  });
});
