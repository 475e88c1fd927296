/**
 * A prospective signatory signs the demo campaign's collecting open letter with JavaScript's help or without it
 * (the form needs none), confirms from the mailed link, an organiser verifies them with evidence, and the public page's
 * verified count rises — with axe-core's WCAG 2.2 AA checks on the letter page. In Debian's Chromium against a real
 * server (web and worker) with the demo loaded.
 *
 * Skipped, loudly (see test/helpers/global-setup.ts), where Chromium is absent; REQUIRE_BROWSER=1 makes that a failure.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase } from '../../src/db/database.ts';
import { findCampaignBySlug } from '../../src/features/campaigns/queries.ts';
import { insertLetter } from '../../src/features/letters/queries.ts';
import type { RunningServer } from '../../src/main.ts';
import type { FreshDatabase } from '../helpers/app.ts';
import { makeUser, uniqueSuffix } from '../helpers/factories.ts';
import { waitForMail } from '../helpers/mailbox.ts';
import { expectNoAxeViolations, logInWithPassword, openJourneyBrowser, SLOW, startDemoServer, stopJourney, type JourneyBrowser } from './browser.ts';

const SLUG = 'eyes-on-chechnya';

describe.skipIf(!inject('hasBrowser'))('browser journey: signing an open letter', () => {
  let fresh: FreshDatabase;
  let server: RunningServer;
  let origin: string;
  let browser: JourneyBrowser | undefined;
  let organiser: { email: string; password: string };
  let letterPath: string;
  let letterId: number;

  beforeAll(async () => {
    ({ fresh, server, origin } = await startDemoServer('all', []));
    const database = openDatabase({ url: fresh.url });
    try {
      organiser = await makeUser(database.db, 'editor');
      const campaignId = (await findCampaignBySlug(database.db, SLUG))!.id;
      letterId = await insertLetter(
        database.db,
        campaignId,
        {
          title: 'Open letter: safe refuge now',
          bodyMd: 'We ask for a **safe refuge** for those who escaped.',
          lang: 'en',
          state: 'collecting',
          datedOn: null,
          dateApproximate: false,
          deliveredOn: null,
          deliveredApproximate: false,
          reported: null,
          responseText: '',
          responseUrl: '',
          targetIds: [],
        },
        new Date().toISOString(),
      );
      letterPath = `/c/${SLUG}/letters/${letterId}`;
    } finally {
      await database.close();
    }
    browser = await openJourneyBrowser(origin);
  }, SLOW);

  afterAll(() => stopJourney(browser, server, fresh), SLOW);

  it(
    'counts a signatory once they confirmed by mail and an organiser verified them',
    async () => {
      const email = `signer-${uniqueSuffix()}@example.org`;
      const name = `Journey Signer ${uniqueSuffix()}`;
      const page = await (await browser!.newContext({ bypassCSP: true })).newPage();
      // The demo's letter of 53 members of Congress: no names, the reported number with its source.
      await page.goto(`/c/${SLUG}`);
      const demoLetter = page.getByRole('listitem').filter({ hasText: 'Letter of 53 members of Congress' });
      expect(await demoLetter.textContent()).toContain('53 signatories, as reported by Wikipedia');
      await page.goto(letterPath);
      await expectNoAxeViolations(page, 'letter page, collecting');
      expect(await page.getByText('0 verified signatories').count()).toBe(1);

      await page.getByRole('link', { name: 'Sign this letter' }).click();
      await page.getByLabel('Your name').fill(name);
      await page.getByLabel('Title or office (optional)').fill('Volunteer');
      await page.getByLabel('You sign as').selectOption('individual');
      await page.getByLabel('Email address').fill(email);
      await page.getByRole('button', { name: 'Sign the letter' }).click();
      await page.waitForURL((url) => url.pathname === `${letterPath}/signed`);

      const mail = await waitForMail(fresh.dataDir, email);
      const confirmPath = /\/letters\/confirm\/[A-Za-z0-9._~-]+/.exec(mail.text)![0];
      await page.goto(confirmPath);
      await page.getByRole('button', { name: 'Confirm my signature' }).click();
      await expect.poll(() => page.getByRole('status').first().textContent()).toContain('confirmed');

      const admin = await (await browser!.newContext()).newPage();
      await logInWithPassword(admin, organiser);
      await admin.waitForURL((url) => url.pathname === '/admin');
      await admin.goto(`/admin/letters/${letterId}`);
      const verifyForm = admin.locator('form', { has: admin.getByRole('button', { name: `Verify ${name}` }) });
      await verifyForm.getByLabel('Evidence: note of the check').fill('Confirmed by a call to the signer.');
      await verifyForm.getByRole('button', { name: `Verify ${name}` }).click();
      await admin.waitForURL((url) => url.searchParams.get('done') === 'verified');

      await page.goto(letterPath);
      await expect.poll(() => page.getByText('1 verified signatory').count()).toBe(1);
      expect(await page.getByText(name).count()).toBe(1);
      await expectNoAxeViolations(page, 'letter page with a verified signatory');
    },
    SLOW,
  );
});
