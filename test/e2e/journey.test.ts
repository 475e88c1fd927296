/**
 * A real browser (Debian's Chromium, driven by playwright-core) against a real server on a real port: the public
 * campaign page with and without JavaScript, in two languages, making no third-party request; an organiser logging in,
 * creating and publishing a campaign; and axe-core's WCAG 2.2 AA checks on every page along the way.
 *
 * Skipped, loudly (see test/helpers/global-setup.ts), where Chromium is absent; REQUIRE_BROWSER=1 makes that a failure.
 */
import type { BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningServer } from '../../src/main.ts';
import { openDatabase } from '../../src/db/database.ts';
import type { FreshDatabase } from '../helpers/app.ts';
import { makeUser, uniqueSuffix } from '../helpers/factories.ts';
import { expectNoAxeViolations, openJourneyBrowser, SLOW, startDemoServer, type JourneyBrowser, stopJourney } from './browser.ts';

const DEMO_PATH = '/c/eyes-on-chechnya';
const DEMO_TITLE_EN = 'End the purge in Chechnya';
const DEMO_TITLE_RU = 'Остановите преследования в Чечне';
const SHARE_NETWORKS = ['X', 'Bluesky', 'Mastodon', 'Telegram', 'WhatsApp', 'Email'];

describe.skipIf(!inject('hasBrowser'))('browser journey', () => {
  let fresh: FreshDatabase;
  let server: RunningServer;
  let origin: string;
  let browser: JourneyBrowser | undefined;
  let owner: { email: string; password: string };
  const serverLogs: string[] = [];

  beforeAll(async () => {
    ({ fresh, server, origin } = await startDemoServer('web', serverLogs));

    const database = openDatabase({ url: fresh.url });
    try {
      owner = await makeUser(database.db, 'owner');
    } finally {
      await database.close();
    }

    browser = await openJourneyBrowser(origin);
  }, SLOW);

  afterAll(() => stopJourney(browser, server, fresh), SLOW);

  const newContext = (options?: BrowserContextOptions): Promise<BrowserContext> => browser!.newContext(options);

  async function logIn(page: Page): Promise<void> {
    await page.goto('/admin/login');
    await page.getByLabel('Email address', { exact: true }).fill(owner.email);
    await page.getByLabel('Password', { exact: true }).fill(owner.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((url) => url.pathname === '/admin');
  }

  it(
    'shows the campaign without JavaScript, and switches to Russian with a plain link',
    async () => {
      const context = await newContext({ javaScriptEnabled: false });
      const page = await context.newPage();
      const response = await page.goto(DEMO_PATH);
      expect(response?.status()).toBe(200);

      await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en');
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(DEMO_TITLE_EN);
      expect(await page.locator('.hashtag').first().textContent()).toBe('#EyesOnChechnya');
      const counter = page.locator('.counter-card');
      expect(await counter.isVisible()).toBe(true);
      expect(await counter.locator('.number').textContent()).toMatch(/^\d{1,3}(,\d{3})*$/);
      expect(await counter.textContent()).toContain('days');

      const share = page.getByRole('region', { name: 'Spread the word' });
      for (const network of SHARE_NETWORKS) {
        const link = share.getByRole('link', { name: `Share on ${network}`, exact: true });
        expect(await link.isVisible(), `share link for ${network}`).toBe(true);
      }
      expect(await share.getByRole('link', { name: 'Share on X', exact: true }).getAttribute('href')).toMatch(/^https:\/\/x\.com\/intent\/post\?/);
      expect(await share.getByRole('link', { name: 'Share on Email', exact: true }).getAttribute('href')).toMatch(/^mailto:\?subject=/);
      // Without the script the tools stay hidden: a "copy" button that does nothing would be worse than none.
      expect(await page.locator('[data-share-tools]').isHidden()).toBe(true);
      expect(await page.locator('[data-copy]').isHidden()).toBe(true);

      await page.getByRole('navigation', { name: 'Language' }).getByRole('link', { name: 'Русский' }).click();
      await page.waitForURL((url) => url.searchParams.get('lang') === 'ru');
      expect(await page.locator('html').getAttribute('lang')).toBe('ru');
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(DEMO_TITLE_RU);
      expect(await page.title()).toContain(DEMO_TITLE_RU);
      expect(await page.locator('[data-copy]').isHidden()).toBe(true);

      // The choice travels in the page's links, not a cookie (shared caches keep these pages): the site's name leads
      // to the home page in Russian, and the plain address follows the browser's language again.
      await page.locator('a.brand').click();
      await page.waitForURL((url) => url.pathname === '/' && url.searchParams.get('lang') === 'ru');
      expect(await page.locator('html').getAttribute('lang')).toBe('ru');
      await page.goto(DEMO_PATH);
      expect(await page.locator('html').getAttribute('lang')).toBe('en');
    },
    SLOW,
  );

  it(
    'adds the share tools when JavaScript runs, and makes no request to any other site',
    async () => {
      const context = await newContext();
      const requests: string[] = [];
      context.on('request', (request) => requests.push(request.url()));
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });

      await page.goto(DEMO_PATH, { waitUntil: 'networkidle' });
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(DEMO_TITLE_EN);
      await page.locator('[data-share-tools]').waitFor({ state: 'visible' });
      const hasClipboard = await page.evaluate(() => navigator.clipboard !== undefined);
      expect(await page.locator('[data-copy]').isVisible()).toBe(hasClipboard);
      if (hasClipboard) {
        await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
        await page.getByRole('button', { name: 'Copy link' }).click();
        await expect.poll(() => page.locator('[data-share-status]').textContent()).not.toBe('');
      }

      // The Russian page and the home page too, then the Mastodon share page reached through its link.
      await page.goto(`${DEMO_PATH}?lang=ru`, { waitUntil: 'networkidle' });
      await page.goto('/?lang=en', { waitUntil: 'networkidle' });
      await page.getByRole('link', { name: 'Share on Mastodon' }).click();
      await page.waitForURL((url) => url.pathname === '/share/mastodon');
      await page.waitForLoadState('networkidle');
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Share on Mastodon');

      expect(errors, 'no script or CSP errors in the console').toEqual([]);
      expect(requests.length).toBeGreaterThan(0);
      const elsewhere = requests.filter((url) => new URL(url).origin !== origin);
      expect(elsewhere, `requests to other origins than ${origin}`).toEqual([]);
      expect(
        requests.some((url) => /\/assets\/enhance\.[0-9a-f]+\.js$/.test(url)),
        'the script was loaded',
      ).toBe(true);
      expect(
        requests.some((url) => /\/assets\/styles\.[0-9a-f]+\.css$/.test(url)),
        'the stylesheet was loaded',
      ).toBe(true);
    },
    SLOW,
  );

  it(
    'lets an organiser log in, create a campaign, fix a mistake and publish it',
    async () => {
      const context = await newContext();
      const requests: string[] = [];
      context.on('request', (request) => requests.push(request.url()));
      const page = await context.newPage();

      await page.goto('/admin');
      await page.waitForURL((url) => url.pathname === '/admin/login');
      expect(new URL(page.url()).searchParams.get('next')).toBe('/admin');
      await page.getByLabel('Email address', { exact: true }).fill(owner.email);
      await page.getByLabel('Password', { exact: true }).fill(owner.password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForURL((url) => url.pathname === '/admin');
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Campaigns');
      expect(await page.getByRole('link', { name: DEMO_TITLE_EN, exact: true }).isVisible()).toBe(true);

      const suffix = uniqueSuffix();
      const slug = `journey-${suffix}`;
      const title = `Free the journalists ${suffix}`;
      await page.getByRole('link', { name: 'New campaign' }).click();
      await page.waitForURL((url) => url.pathname === '/admin/campaigns/new');
      await page.getByLabel('Web address (slug)', { exact: true }).fill(slug);
      await page.getByLabel('Hashtag', { exact: true }).fill(`#Free${suffix}`);
      await page.getByLabel('Goal (number of supporters)', { exact: true }).fill('12,000');
      await page.getByLabel('Start date', { exact: true }).fill('2024-02-29');
      await page.getByRole('checkbox', { name: 'English' }).check();
      await page.getByLabel('Story (Markdown) (English)', { exact: true }).fill('They were **arrested** for reporting.');

      // First without a title: the form comes back with the error summary and everything typed kept.
      await page.getByRole('button', { name: 'Save' }).click();
      await page.waitForURL((url) => url.pathname === '/admin/campaigns');
      const summary = page.getByRole('alert');
      expect(await summary.isVisible()).toBe(true);
      expect(await summary.textContent()).toContain('Please correct the following:');
      expect(await summary.getByRole('link', { name: 'Title (English): This is required.' }).getAttribute('href')).toBe('#title_en');
      expect(await page.getByLabel('Web address (slug)', { exact: true }).inputValue()).toBe(slug);
      expect(await page.getByLabel('Story (Markdown) (English)', { exact: true }).inputValue()).toBe('They were **arrested** for reporting.');
      expect(await page.getByLabel('Title (English)', { exact: true }).getAttribute('aria-invalid')).toBe('true');

      await page.getByLabel('Title (English)', { exact: true }).fill(title);
      await page.getByRole('button', { name: 'Save' }).click();
      await page.waitForURL((url) => /^\/admin\/campaigns\/\d+$/.test(url.pathname) && url.searchParams.get('done') === 'created');
      expect(await page.getByRole('status').textContent()).toBe('The campaign is created as a draft.');
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Edit campaign');
      expect(await page.getByLabel('Title (English)', { exact: true }).inputValue()).toBe(title);

      // A draft is not public yet.
      const visitor = await (await newContext()).newPage();
      expect((await visitor.goto(`/c/${slug}`))?.status()).toBe(404);

      await page.getByRole('link', { name: 'Campaigns', exact: true }).click();
      await page.waitForURL((url) => url.pathname === '/admin');
      // The button reads "Publish" plus the campaign's title in a visually hidden span, so each row's button names its
      // campaign for screen readers (Chromium puts a space before the positioned span's text: "Publish : …").
      await page.getByRole('button', { name: new RegExp(`^Publish ?: ${title}$`) }).click();
      await page.waitForURL((url) => url.pathname === '/admin' && url.searchParams.get('done') === 'published');
      expect(await page.getByRole('status').textContent()).toBe('The campaign is published.');

      const response = await visitor.goto(`/c/${slug}`);
      expect(response?.status()).toBe(200);
      expect(await visitor.getByRole('heading', { level: 1 }).textContent()).toBe(title);
      expect(await visitor.locator('.hashtag').first().textContent()).toBe(`#Free${suffix}`);
      expect(await visitor.locator('.goal').textContent()).toBe('Our goal: 12,000 supporters');

      expect(requests.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    },
    SLOW,
  );

  describe('accessibility (axe-core, WCAG 2.2 A and AA)', () => {
    it(
      'campaign page in English and in Russian',
      async () => {
        const page = await (await newContext({ bypassCSP: true })).newPage();
        await page.goto(`${DEMO_PATH}?lang=en`, { waitUntil: 'networkidle' });
        await page.locator('[data-share-tools]').waitFor({ state: 'visible' });
        await expectNoAxeViolations(page, 'the campaign page (en)');
        await page.goto(`${DEMO_PATH}?lang=ru`, { waitUntil: 'networkidle' });
        expect(await page.locator('html').getAttribute('lang')).toBe('ru');
        await expectNoAxeViolations(page, 'the campaign page (ru)');
      },
      SLOW,
    );

    it(
      'campaign page without JavaScript',
      async () => {
        // axe needs script; the page's own script is what is switched off, simulated by blocking it.
        const context = await newContext({ bypassCSP: true });
        await context.route(/\/assets\/enhance\.[0-9a-f]+\.js$/, (route) => route.abort());
        const page = await context.newPage();
        await page.goto(`${DEMO_PATH}?lang=en`);
        expect(await page.locator('[data-share-tools]').isHidden()).toBe(true);
        await expectNoAxeViolations(page, 'the campaign page without its script');
      },
      SLOW,
    );

    it(
      'login page, empty and after a failed attempt',
      async () => {
        const page = await (await newContext({ bypassCSP: true })).newPage();
        await page.goto('/admin/login?lang=en');
        await expectNoAxeViolations(page, 'the login page');
        await page.getByRole('button', { name: 'Log in' }).click();
        await page.waitForLoadState();
        expect(await page.getByRole('alert').isVisible()).toBe(true);
        await expectNoAxeViolations(page, 'the login page with errors');
        await page.getByLabel('Email address', { exact: true }).fill(owner.email);
        await page.getByLabel('Password', { exact: true }).fill('not the password');
        await page.getByRole('button', { name: 'Log in' }).click();
        await page.waitForLoadState();
        await expectNoAxeViolations(page, 'the login page after a wrong password');
      },
      SLOW,
    );

    it(
      'dashboard, new-campaign form, the form with errors, audit log and Mastodon page',
      async () => {
        const page = await (await newContext({ bypassCSP: true })).newPage();
        await logIn(page);
        await expectNoAxeViolations(page, 'the dashboard');

        await page.goto('/admin/campaigns/new');
        await expectNoAxeViolations(page, 'the new-campaign form');

        await page.getByLabel('Web address (slug)', { exact: true }).fill('Not a slug!');
        await page.getByRole('checkbox', { name: 'English' }).uncheck();
        await page.getByRole('button', { name: 'Save' }).click();
        await page.waitForURL((url) => url.pathname === '/admin/campaigns');
        expect(await page.getByRole('alert').isVisible()).toBe(true);
        await expectNoAxeViolations(page, 'the new-campaign form with errors');

        await page.goto('/admin?lang=ru');
        await expectNoAxeViolations(page, 'the dashboard (ru)');

        await page.goto('/admin/audit?lang=en');
        await expectNoAxeViolations(page, 'the audit log');

        await page.goto('/share/mastodon?text=Hello');
        await expectNoAxeViolations(page, 'the Mastodon share page');
        await page.getByLabel('Your Mastodon server', { exact: true }).fill('not a server');
        await page.getByRole('button', { name: 'Continue to my server' }).click();
        await page.waitForLoadState();
        await expectNoAxeViolations(page, 'the Mastodon share page with an error');

        await page.goto('/c/no-such-campaign');
        await expectNoAxeViolations(page, 'the 404 page');
      },
      SLOW,
    );
  });

  it('logged no server errors along the way', () => {
    const errors = serverLogs.filter((line) => /"level":"(error|fatal)"/.test(line));
    expect(errors).toEqual([]);
  });
});
