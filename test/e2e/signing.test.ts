/**
 * A supporter's journey in a real browser (Debian's Chromium, driven by playwright-core) against a real server with
 * its worker: sign the demo petition, find the mail in the development mailbox, confirm with the button, and watch
 * the count rise on pages that were left open: through Server-Sent Events, with and without animation, in Russian,
 * and by polling where there is no EventSource or the server refuses the stream. Also signing with JavaScript off, and axe-core's WCAG 2.2 AA checks
 * on the pages along the way.
 *
 * Skipped, loudly (see test/helpers/global-setup.ts), where Chromium is absent; REQUIRE_BROWSER=1 makes that a failure.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningServer } from '../../src/main.ts';
import type { FreshDatabase } from '../helpers/app.ts';
import { uniqueSuffix } from '../helpers/factories.ts';
import { confirmPathIn, readMailbox, waitForMail } from '../helpers/mailbox.ts';
import { expectNoAxeViolations, openJourneyBrowser, SLOW, startDemoServer, type JourneyBrowser, stopJourney } from './browser.ts';

const DEMO_PATH = '/c/eyes-on-chechnya';
/** The signed form stamp marks anything quicker than this as a script; a person takes longer. */
const HUMAN_FILL_MS = 3200;

describe.skipIf(!inject('hasBrowser'))('browser journey: signing, confirming, and the live count', () => {
  let fresh: FreshDatabase;
  let server: RunningServer;
  let origin: string;
  let browser: JourneyBrowser | undefined;
  const serverLogs: string[] = [];

  beforeAll(async () => {
    // Role "all": the worker in the same process sends the confirmation mail into DATA_DIR/mail.
    ({ fresh, server, origin } = await startDemoServer('all', serverLogs));
    browser = await openJourneyBrowser(origin);
  }, SLOW);

  afterAll(() => stopJourney(browser, server, fresh), SLOW);

  const newContext = (options?: BrowserContextOptions): Promise<BrowserContext> => browser!.newContext(options);

  /** Fills the petition form as a person would, taking a few seconds over it. */
  async function fillAndSign(page: Page, email: string): Promise<void> {
    const openedAt = Date.now();
    await page.getByLabel('Your name', { exact: true }).fill('Dana Watcher');
    await page.getByLabel('Your email address', { exact: true }).fill(email);
    await page.getByLabel('Country', { exact: true }).selectOption('NO');
    await page.getByLabel(/^I agree that the organisers may store my signature/).check();
    await sleep(Math.max(0, HUMAN_FILL_MS - (Date.now() - openedAt)));
    await page.getByRole('button', { name: 'Sign', exact: true }).click();
    await page.waitForURL((url) => url.pathname === `${DEMO_PATH}/signed`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Check your email');
  }

  const countOf = (page: Page) => page.locator('.petition .count-number').first();

  it(
    'signs, confirms from the mail, and the count rises on open pages without a reload',
    async () => {
      // The watchers open the campaign first and stay on it.
      const watcherContext = await newContext();
      const watcher = await watcherContext.newPage();
      const errors: string[] = [];
      watcher.on('pageerror', (error) => errors.push(error.message));
      watcher.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      let watcherLoads = 0;
      watcher.on('load', () => (watcherLoads += 1));
      // Resolves once the page's event stream is open (its headers are in), so the change reaches it live.
      const watcherStream = watcher.waitForResponse((response) => response.url().endsWith(`${DEMO_PATH}/events`) && response.status() === 200);
      await watcher.goto(DEMO_PATH);
      expect(await countOf(watcher).textContent()).toBe('0');
      expect(await watcher.locator('.petition .count-line').first().textContent()).toBe('0 people have signed');

      const still = await (await newContext({ reducedMotion: 'reduce', locale: 'ru-RU' })).newPage();
      const stillStream = still.waitForResponse((response) => response.url().endsWith(`${DEMO_PATH}/events`) && response.status() === 200);
      await still.goto(`${DEMO_PATH}?lang=ru`);
      expect(await countOf(still).textContent()).toBe('0');

      // No EventSource at all: the page falls back to polling count.json every ten seconds.
      const oldBrowser = await newContext();
      await oldBrowser.addInitScript(() => {
        delete (window as { EventSource?: unknown }).EventSource;
      });
      const polling = await oldBrowser.newPage();
      const polled: string[] = [];
      polling.on('request', (request) => {
        if (request.url().endsWith('/count.json')) polled.push(request.url());
      });
      await polling.goto(DEMO_PATH);

      // A server too busy for another stream (503): the page polls instead.
      const refusedContext = await newContext();
      await refusedContext.route(/\/events$/, (route) =>
        route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":{"code":"unavailable","message":"busy"}}' }),
      );
      const refused = await refusedContext.newPage();
      await refused.goto(DEMO_PATH);

      await Promise.all([watcherStream, stillStream]);

      const signer = await (await newContext()).newPage();
      await signer.goto(DEMO_PATH);
      const email = `dana-${uniqueSuffix()}@example.org`;
      await fillAndSign(signer, email);

      const mail = await waitForMail(fresh.dataDir, email);
      expect(mail.subject).not.toBe('');
      const confirmPath = confirmPathIn(mail);
      // Pending signatures do not count.
      expect(await countOf(watcher).textContent()).toBe('0');

      const confirmer = await (await newContext({ bypassCSP: true })).newPage();
      await confirmer.goto(confirmPath);
      expect(await confirmer.getByRole('heading', { level: 1 }).textContent()).toBe('Confirm your signature');
      await expectNoAxeViolations(confirmer, 'the confirmation page');
      await confirmer.getByRole('button', { name: 'Confirm my signature' }).click();
      await confirmer.waitForLoadState();
      expect(await confirmer.getByRole('status').textContent()).toBe('Thank you: your signature is confirmed.');
      await expectNoAxeViolations(confirmer, 'the confirmation page, confirmed');

      // The open page rises to 1 through the stream, words and progress bar included, without loading again.
      await expect.poll(() => countOf(watcher).textContent(), { timeout: 5000 }).toBe('1');
      expect(await watcher.locator('.petition .count-line').first().textContent()).toBe('1 person has signed');
      expect(await countOf(watcher).getAttribute('data-count')).toBe('1');
      expect(await watcher.locator('.petition progress').first().getAttribute('value')).toBe('1');
      expect(await watcher.locator('.petition .goal').first().textContent()).toBe('1 of 100,000 signatures');
      // Screen readers hear the new count once, politely.
      await expect
        .poll(() => watcher.locator('[aria-live="polite"][data-live-announcer]').first().textContent(), { timeout: 2000 })
        .toBe('1 person has signed');
      expect(watcherLoads).toBe(1);

      // Reduced motion and Russian: the number jumps, and the words follow the Russian singular.
      await expect.poll(() => countOf(still).textContent(), { timeout: 5000 }).toBe('1');
      expect(await still.locator('.petition .count-line').first().textContent()).toBe('Подписал 1 человек');

      // The polling page catches up within its ten seconds (plus count.json's two-second cache).
      await expect.poll(() => countOf(polling).textContent(), { timeout: 15_000, interval: 500 }).toBe('1');
      await expect.poll(() => countOf(refused).textContent(), { timeout: 15_000, interval: 500 }).toBe('1');
      expect(await refused.locator('.petition .count-line').first().textContent()).toBe('1 person has signed');
      expect(polled.length).toBeGreaterThan(0);

      expect(errors, 'no script or CSP errors on the watching page').toEqual([]);
      // One mail for one signature.
      expect(readMailbox(fresh.dataDir).filter((m) => m.to.includes(email))).toHaveLength(1);
    },
    SLOW,
  );

  it(
    'signs with JavaScript off: the form posts, and the 303 lands on "check your email"',
    async () => {
      const page = await (await newContext({ javaScriptEnabled: false })).newPage();
      const statuses: number[] = [];
      page.on('response', (response) => {
        // The form's address carries the page's language (?lang=): compare the path alone.
        if (new URL(response.url()).pathname === `${DEMO_PATH}/sign`) statuses.push(response.status());
      });
      await page.goto(DEMO_PATH);
      await fillAndSign(page, `nojs-${uniqueSuffix()}@example.org`);
      expect(statuses).toEqual([303]);
      const back = await page.getByRole('link', { name: 'Back to the campaign' }).getAttribute('href');
      expect(new URL(back!, 'http://outcry.test').pathname).toBe(DEMO_PATH);
    },
    SLOW,
  );

  it(
    'hides the honeypot from sighted people and the keyboard, and a person filling the visible fields is thanked',
    async () => {
      const page = await (await newContext()).newPage();
      await page.goto(DEMO_PATH);
      const trap = page.locator('.sign-form .honeypot');
      const trapInput = page.locator('.sign-form input[name="website"]');
      expect(await trapInput.count()).toBe(1);
      // Still in the form for bots that fill every field, but not named to assistive technology.
      expect(await trap.getAttribute('aria-hidden')).toBe('true');
      expect(await page.getByRole('textbox', { name: /^Leave this field empty/ }).count()).toBe(0);

      for (const viewport of [
        { width: 1280, height: 800 },
        { width: 320, height: 640 },
      ]) {
        await page.setViewportSize(viewport);
        // Off-screen beyond the start edge: nowhere the page can be scrolled to, and no horizontal scrollbar made for it.
        for (const box of [await trap.boundingBox(), await trapInput.boundingBox()]) {
          expect(
            box === null || box.width === 0 || box.height === 0 || box.x + box.width <= 0,
            `the honeypot at ${viewport.width}px: ${JSON.stringify(box)}`,
          ).toBe(true);
        }
        expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
        // Out of the flow: the postcode field is followed directly by the consent block, with no gap where the trap was.
        const gap = await page.evaluate(() => {
          const postcode = document.getElementById('postcode')?.closest('.field')?.getBoundingClientRect();
          const consent = document.getElementById('consent')?.closest('.field')?.getBoundingClientRect();
          const margin = Number.parseFloat(getComputedStyle(document.getElementById('postcode')!.closest('.field')!).marginBottom);
          return postcode && consent ? consent.top - postcode.bottom - margin : undefined;
        });
        expect(Math.abs(gap ?? Number.NaN)).toBeLessThan(1);
      }

      // Not in the tab order: Tab from the postcode goes straight to the consent box.
      expect(await trapInput.getAttribute('tabindex')).toBe('-1');
      await page.locator('#postcode').focus();
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('consent');

      // A person who fills what they see is thanked, and the signature is taken (a filled trap would be thanked too, but mailed nothing).
      const email = `visible-${uniqueSuffix()}@example.org`;
      await page.setViewportSize({ width: 1280, height: 800 });
      await fillAndSign(page, email);
      expect((await waitForMail(fresh.dataDir, email)).subject).not.toBe('');
    },
    SLOW,
  );

  it('logged no server errors along the way', () => {
    const errors = serverLogs.filter((line) => /"level":"(error|fatal)"/.test(line));
    expect(errors).toEqual([]);
  });
});
