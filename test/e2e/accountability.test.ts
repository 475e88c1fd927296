/**
 * An organiser records an ask and then a denial; a member of the public, in another browser, sees the target go from
 * "not asked yet" to silent to denied — on the accountability page and the campaign page, with axe-core's WCAG 2.2 AA
 * checks on both. In Debian's Chromium against a real server with the demo loaded.
 *
 * Skipped, loudly (see test/helpers/global-setup.ts), where Chromium is absent; REQUIRE_BROWSER=1 makes that a failure.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase } from '../../src/db/database.ts';
import { findCampaignBySlug } from '../../src/features/campaigns/queries.ts';
import type { RunningServer } from '../../src/main.ts';
import type { FreshDatabase } from '../helpers/app.ts';
import { makeUser } from '../helpers/factories.ts';
import { expectNoAxeViolations, logInWithPassword, openJourneyBrowser, SLOW, startDemoServer, stopJourney, type JourneyBrowser } from './browser.ts';

const SLUG = 'eyes-on-chechnya';

describe.skipIf(!inject('hasBrowser'))('browser journey: accountability', () => {
  let fresh: FreshDatabase;
  let server: RunningServer;
  let origin: string;
  let browser: JourneyBrowser | undefined;
  let organiser: { email: string; password: string };
  let campaignId: number;

  beforeAll(async () => {
    ({ fresh, server, origin } = await startDemoServer('web', []));
    const database = openDatabase({ url: fresh.url });
    try {
      organiser = await makeUser(database.db, 'editor');
      campaignId = (await findCampaignBySlug(database.db, SLUG))!.id;
    } finally {
      await database.close();
    }
    browser = await openJourneyBrowser(origin);
  }, SLOW);

  afterAll(() => stopJourney(browser, server, fresh), SLOW);

  it(
    'shows the public an ask, then a denial, as the organiser records them',
    async () => {
      const publicPage = await (await browser!.newContext({ bypassCSP: true })).newPage();
      await publicPage.goto(`/c/${SLUG}/accountability`);
      await expectNoAxeViolations(publicPage, 'accountability page (demo)');
      // The demo's White House: asked, never answered.
      await expect.poll(() => publicPage.getByRole('row', { name: /The White House/ }).textContent()).toMatch(/Silent for [\d,]+ days/);

      const admin = await (await browser!.newContext()).newPage();
      await logInWithPassword(admin, organiser);
      await admin.waitForURL((url) => url.pathname === '/admin');
      await admin.goto(`/admin/campaigns/${campaignId}/accountability`);
      await admin.getByLabel('Name (English)').fill('Ministry of Example Affairs');
      await admin.getByLabel('Role or office (English)').fill('Minister');
      await admin.getByRole('button', { name: 'Add a target' }).click();
      await admin.waitForURL((url) => url.searchParams.get('done') === 'created');

      await publicPage.reload();
      await expect.poll(() => publicPage.getByRole('row', { name: /Ministry of Example Affairs/ }).textContent()).toContain('Not asked yet');

      const asked = new Date(Date.now() - 12 * 86_400_000).toISOString().slice(0, 10);
      await admin.getByLabel('Asked on').fill(asked);
      await admin.getByLabel('What was asked', { exact: true }).fill('Open an investigation.');
      await admin.getByRole('button', { name: 'Record an ask' }).click();
      await admin.waitForURL((url) => url.searchParams.get('done') === 'ask-added');

      await publicPage.reload();
      await expect.poll(() => publicPage.getByRole('row', { name: /Ministry of Example Affairs/ }).textContent()).toContain('Silent for 12 days');

      await admin.getByLabel('Said on').fill(new Date().toISOString().slice(0, 10));
      await admin.getByLabel('Latest stance').selectOption('denied');
      await admin.getByLabel(/This answers what was asked/).check();
      await admin.getByLabel('Their words').fill('There is nothing to investigate.');
      await admin.getByLabel(/These are their exact words/).check();
      await admin.getByLabel('Publisher (source 1)').fill('Example News');
      await admin.getByLabel('Web address (source 1)').fill('https://news.example.org/denial');
      await admin.getByRole('button', { name: 'Record a statement' }).click();
      await admin.waitForURL((url) => url.searchParams.get('done') === 'statement-added');

      await publicPage.reload();
      const row = publicPage.getByRole('row', { name: /Ministry of Example Affairs/ });
      await expect.poll(() => row.textContent()).toContain('Denied');
      expect(await row.textContent()).toContain('Answered on');
      await expectNoAxeViolations(publicPage, 'accountability page after the denial');
      // Reflows to 320 px (WCAG 1.4.10): the scoreboard and the timeline never widen the page.
      await publicPage.setViewportSize({ width: 320, height: 640 });
      expect(await publicPage.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
      await publicPage.setViewportSize({ width: 1280, height: 800 });

      await publicPage.goto(`/c/${SLUG}`);
      await expect.poll(() => publicPage.getByRole('heading', { name: 'Who stays silent' }).count()).toBe(1);
      await expectNoAxeViolations(publicPage, 'campaign page with the scoreboard');
    },
    SLOW,
  );
});
