/**
 * Signing in a browser through nginx (deploy/nginx/outcry.conf, as test/proxy.test.ts starts it), with JavaScript on
 * and off: the campaign page comes from the proxy's cache with the stamp shared by everyone who got that copy; with
 * JavaScript the page's script swaps in the visitor's own stamp before the form goes; without, the shared one goes.
 * Both signatures are confirmed from the mail and counted.
 *
 * Skipped, loudly (see test/helpers/global-setup.ts), where Chromium or nginx is absent; REQUIRE_BROWSER=1 and
 * REQUIRE_PROXY=1 make that a failure.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningServer } from '../../src/main.ts';
import type { FreshDatabase } from '../helpers/app.ts';
import { uniqueSuffix } from '../helpers/factories.ts';
import { confirmPathIn, waitForMail } from '../helpers/mailbox.ts';
import { startNginx, type RunningNginx } from '../helpers/nginx.ts';
import { openJourneyBrowser, SLOW, startDemoServer, stopJourney, type JourneyBrowser } from './browser.ts';

const DEMO_PATH = '/c/eyes-on-chechnya';

describe.skipIf(!inject('hasBrowser') || !inject('hasNginx'))('browser journey: signing through the caching proxy', () => {
  let fresh: FreshDatabase;
  let server: RunningServer;
  let proxy: RunningNginx | undefined;
  let browser: JourneyBrowser | undefined;

  beforeAll(async () => {
    ({ fresh, server } = await startDemoServer('all', [], { TRUST_PROXY: '127.0.0.1' }));
    proxy = await startNginx({ upstreamPort: Number(new URL(server.address!).port) });
    browser = await openJourneyBrowser(proxy.origin);
  }, SLOW);

  afterAll(async () => {
    await proxy?.stop();
    await stopJourney(browser, server, fresh);
  }, SLOW);

  const count = async () => JSON.parse((await proxy!.request(`${DEMO_PATH}/count.json`)).body).signatures as number;

  /** Fills and sends the form, and returns the stamp it went with. */
  async function sign(page: Page, email: string): Promise<string> {
    const posted = page.waitForRequest((request) => request.method() === 'POST' && new URL(request.url()).pathname === `${DEMO_PATH}/sign`);
    await page.getByLabel('Your name', { exact: true }).fill('Proxy Walker');
    await page.getByLabel('Your email address', { exact: true }).fill(email);
    await page.getByLabel('Country', { exact: true }).selectOption('IS');
    await page.getByLabel(/^I agree that the organisers may store my signature/).check();
    await page.getByRole('button', { name: 'Sign', exact: true }).click();
    const stamp = new URLSearchParams((await posted).postData() ?? '').get('ts') ?? '';
    await page.waitForURL((url) => url.pathname === `${DEMO_PATH}/signed`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Check your email');
    return stamp;
  }

  async function confirm(page: Page, email: string): Promise<void> {
    await page.goto(confirmPathIn(await waitForMail(fresh.dataDir, email)));
    await page.getByRole('button', { name: 'Confirm my signature' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent(), { timeout: 10_000 }).toContain('confirmed');
  }

  it(
    "signs with JavaScript on (the visitor's own stamp) and off (the cached page's), and both count",
    async () => {
      const before = await count();
      const withScript = await (await browser!.newContext({ ignoreHTTPSErrors: true })).newPage();
      const withoutScript = await (await browser!.newContext({ ignoreHTTPSErrors: true, javaScriptEnabled: false })).newPage();
      const stampFetches: string[] = [];
      withScript.on('request', (request) => {
        if (request.url().endsWith(`${DEMO_PATH}/form-stamp`)) stampFetches.push(request.url());
      });

      const cached = await withoutScript.goto(DEMO_PATH);
      expect(cached?.headers()['cache-control']).toMatch(/^public, /);
      await withScript.goto(DEMO_PATH, { waitUntil: 'networkidle' });
      // Reading the page costs the server nothing more; starting on the form asks for the visitor's own stamp.
      expect(stampFetches).toEqual([]);

      const [on, off] = [`proxy-on-${uniqueSuffix()}@example.org`, `proxy-off-${uniqueSuffix()}@example.org`];
      const ownStamp = await sign(withScript, on);
      expect(stampFetches).toHaveLength(1);
      expect(ownStamp).toMatch(/^\d{13}\.[A-Za-z0-9_-]{12}\.[A-Za-z0-9_-]{43}$/);
      const sharedStamp = await sign(withoutScript, off);
      expect(sharedStamp).toMatch(/\.shared\./);

      await confirm(withScript, on);
      await confirm(withoutScript, off);
      await expect.poll(count, { timeout: 30_000, interval: 500 }).toBe(before + 2);
    },
    SLOW,
  );
});
