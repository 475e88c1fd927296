/**
 * An organiser adds a passkey and logs in with it, in Debian's Chromium with a virtual authenticator (Chrome DevTools'
 * WebAuthn domain), against a real server whose public URL is http://localhost (WebAuthn needs a name, not an address).
 * With JavaScript off, the second step still offers the code form and says why passkeys are not offered.
 *
 * Skipped, loudly (see test/helpers/global-setup.ts), where Chromium is absent; REQUIRE_BROWSER=1 makes that a failure.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase } from '../../src/db/database.ts';
import type { RunningServer } from '../../src/main.ts';
import type { FreshDatabase } from '../helpers/app.ts';
import { makeUser } from '../helpers/factories.ts';
import { expectNoAxeViolations, freePort, logInWithPassword, openJourneyBrowser, SLOW, startDemoServer, stopJourney, type JourneyBrowser } from './browser.ts';

async function addVirtualAuthenticator(context: BrowserContext, page: Page): Promise<void> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
}

describe.skipIf(!inject('hasBrowser'))('browser journey: passkeys', () => {
  let fresh: FreshDatabase;
  let server: RunningServer;
  let origin: string;
  let browser: JourneyBrowser | undefined;
  let user: { id: number; email: string; password: string };
  const serverLogs: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    ({ fresh, server, origin } = await startDemoServer('web', serverLogs, { PORT: String(port), PUBLIC_URL: `http://localhost:${port}` }));
    const database = openDatabase({ url: fresh.url });
    try {
      user = await makeUser(database.db, 'editor');
    } finally {
      await database.close();
    }
    browser = await openJourneyBrowser(origin.replace('127.0.0.1', 'localhost'));
  }, SLOW);

  afterAll(() => stopJourney(browser, server, fresh), SLOW);

  it(
    'adds a passkey, makes recovery codes, and logs in with the passkey',
    async () => {
      const context = await browser!.newContext({ bypassCSP: true });
      const page = await context.newPage();
      await addVirtualAuthenticator(context, page);

      await logInWithPassword(page, user);
      await page.waitForURL((url) => url.pathname === '/admin');
      await page.goto('/admin/security');
      await expectNoAxeViolations(page, '/admin/security');
      await page.getByLabel('Name').fill('Work laptop');
      await page.getByRole('button', { name: 'Add a passkey' }).click();
      await page.waitForURL((url) => url.search === '?done=added-needs-codes');
      await expect.poll(() => page.getByRole('cell', { name: 'Work laptop', exact: true }).count()).toBe(1);
      await page.getByRole('button', { name: 'Create recovery codes' }).click();
      await expect.poll(() => page.locator('.recovery-codes li').count()).toBe(10);
      await expectNoAxeViolations(page, 'recovery codes');

      await page.getByRole('button', { name: 'Log out' }).click();
      await logInWithPassword(page, user);
      await page.waitForURL((url) => url.pathname === '/admin/login/verify');
      await expectNoAxeViolations(page, '/admin/login/verify');
      await page.getByRole('button', { name: 'Use a passkey' }).click();
      await page.waitForURL((url) => url.pathname === '/admin');
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Campaigns');

      const database = openDatabase({ url: fresh.url });
      try {
        const factor = await database.db.selectFrom('user_factors').selectAll().where('user_id', '=', user.id).executeTakeFirstOrThrow();
        expect(factor.kind).toBe('passkey');
        expect(factor.last_used_at).not.toBeNull();
      } finally {
        await database.close();
      }
      expect(serverLogs.join('')).not.toContain(user.email);
    },
    SLOW,
  );

  it(
    'offers the code form, and says why there is no passkey button, with JavaScript off',
    async () => {
      const context = await browser!.newContext({ javaScriptEnabled: false });
      const page = await context.newPage();
      await logInWithPassword(page, user);
      await page.waitForURL((url) => url.pathname === '/admin/login/verify');
      expect(await page.getByRole('button', { name: 'Use a passkey' }).isVisible()).toBe(false);
      expect(await page.getByText('Passkeys need JavaScript in this browser.').isVisible()).toBe(true);
      expect(await page.getByLabel('Code').isVisible()).toBe(true);
    },
    SLOW,
  );
});
