/**
 * axe-core's WCAG 2.2 A and AA checks, in a real Chromium against a real server, on the organisers' pages for
 * petitions, suspect review, kill switches and the development mailbox, in English and in Russian; and the close
 * confirmation and a kill switch worked through with the keyboard-free, script-free forms themselves.
 *
 * Set up as test/e2e/journey.test.ts: skipped, loudly, where Chromium is absent (REQUIRE_BROWSER=1 makes that a failure).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningServer } from '../../src/main.ts';
import type { Config } from '../../src/config.ts';
import { openDatabase } from '../../src/db/database.ts';
import { createMailer } from '../../src/jobs/mailer.ts';
import { findCampaignBySlug } from '../../src/features/campaigns/queries.ts';
import { listPetitionsOfCampaign } from '../../src/features/petitions/queries.ts';
import type { FreshDatabase } from '../helpers/app.ts';
import { makeUser } from '../helpers/factories.ts';
import { expectNoAxeViolations, openJourneyBrowser, SLOW, startDemoServer, type JourneyBrowser, stopJourney } from './browser.ts';

const LANGS = ['en', 'ru'] as const;

describe.skipIf(!inject('hasBrowser'))("organisers' pages in a browser (axe-core, WCAG 2.2 A and AA)", () => {
  let fresh: FreshDatabase;
  let config: Config;
  let server: RunningServer;
  let origin: string;
  let browser: JourneyBrowser | undefined;
  let owner: { email: string; password: string };
  let moderator: { email: string; password: string };
  let campaignId: number;
  let petitionId: number;
  const serverLogs: string[] = [];

  beforeAll(async () => {
    ({ fresh, config, server, origin } = await startDemoServer('web', serverLogs));

    const database = openDatabase({ url: fresh.url });
    try {
      owner = await makeUser(database.db, 'owner');
      moderator = await makeUser(database.db, 'moderator');
      const demo = await findCampaignBySlug(database.db, 'eyes-on-chechnya');
      campaignId = demo!.id;
      petitionId = (await listPetitionsOfCampaign(database.db, campaignId))[0]!.id;
      // Signatures as the signing path leaves them: some suspect, one counted.
      const now = new Date().toISOString();
      await database.db.insertInto('sealing_windows').values({ id: 'axe-window', key_id: 'k', enc: 'e', created_at: now }).execute();
      const rows = [
        { suspect: 'rate', status: 'pending' as const, country: 'RU' },
        { suspect: 'stamp:too-fast', status: 'confirmed' as const, country: 'FR' },
        { suspect: null, status: 'confirmed' as const, country: 'GB' },
      ];
      await database.db
        .insertInto('signatures')
        .values(
          rows.map((row, i) => ({
            petition_id: petitionId,
            dedup_key: `axe-${i}`,
            window_id: 'axe-window',
            sealed: Buffer.from('sealed'),
            country: row.country,
            status: row.status,
            suspect: row.suspect ? (1 as const) : (0 as const),
            suspect_reason: row.suspect,
            public_name: null,
            wants_updates: 0 as const,
            ref: null,
            confirm_token_hash: null,
            withdraw_token_hash: `axe-${i}`,
            token_expires_at: now,
            last_mailed_at: now,
            created_at: now,
            confirmed_at: row.status === 'confirmed' ? now : null,
            withdrawn_at: null,
          })),
        )
        .execute();
    } finally {
      await database.close();
    }
    const mailer = createMailer(config);
    await mailer.send({
      to: 'anna@example.org',
      subject: 'Пожалуйста, подтвердите подпись',
      text: `Здравствуйте!\n\n${config.publicUrl}/confirm/abc\n\nhttps://elsewhere.example/x\n`,
    });
    mailer.close();

    browser = await openJourneyBrowser(origin);
  }, SLOW);

  afterAll(() => stopJourney(browser, server, fresh), SLOW);

  /** A logged-in page in a context that bypasses CSP, so axe can be injected (see journey.test.ts). */
  async function loggedInPage(user: { email: string; password: string }): Promise<Page> {
    const context = await browser!.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto('/admin/login?lang=en');
    await page.getByLabel('Email address', { exact: true }).fill(user.email);
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((url) => url.pathname === '/admin');
    return page;
  }

  /** Opens `url` in each language and checks it. */
  async function checkInBothLanguages(page: Page, url: string, name: string): Promise<void> {
    for (const lang of LANGS) {
      const response = await page.goto(`${url}${url.includes('?') ? '&' : '?'}lang=${lang}`);
      expect(response?.status(), `${name} (${lang})`).toBe(200);
      expect(await page.locator('html').getAttribute('lang')).toBe(lang);
      await expectNoAxeViolations(page, `${name} (${lang})`);
    }
  }

  it(
    'dashboard with the demo-key warning, campaign with its petitions, petition forms',
    async () => {
      const page = await loggedInPage(owner);
      await checkInBothLanguages(page, '/admin', 'the dashboard with the demo-key warning');
      expect(await page.locator('code', { hasText: 'outcry keys new' }).isVisible()).toBe(true);
      await checkInBothLanguages(page, `/admin/campaigns/${campaignId}`, 'the campaign with its petitions');
      await checkInBothLanguages(page, `/admin/campaigns/${campaignId}/petitions/new`, 'the new-petition form');
      await checkInBothLanguages(page, `/admin/petitions/${petitionId}?done=saved`, 'the petition page');

      // The new-petition form sent with mistakes comes back with its error summary.
      for (const lang of LANGS) {
        await page.goto(`/admin/campaigns/${campaignId}/petitions/new?lang=${lang}`);
        await page.locator('#goal').fill('lots');
        await page.locator('#milestones').fill('10, 5');
        await page.locator('form.stacked button[type="submit"]').click();
        await page.waitForLoadState();
        expect(await page.getByRole('alert').isVisible()).toBe(true);
        await expectNoAxeViolations(page, `the new-petition form with errors (${lang})`);
      }

      // Closing without ticking the confirmation is refused, with the reason shown beside the box.
      await page.goto(`/admin/petitions/${petitionId}?lang=en`);
      await page.getByRole('button', { name: 'Close the petition' }).click();
      await page.waitForLoadState();
      expect(await page.getByRole('alert').textContent()).toContain('Tick this box to confirm');
      await expectNoAxeViolations(page, 'the petition page after an unconfirmed close');
      await page.getByRole('checkbox', { name: 'I understand that closing deletes the duplicate-detection keys for good.' }).check();
      await page.getByRole('button', { name: 'Close the petition' }).click();
      await page.waitForURL((url) => url.searchParams.get('done') === 'closed');
      expect(await page.getByRole('status').textContent()).toContain('The petition is closed');
      await expectNoAxeViolations(page, 'the closed petition');
      await page.getByRole('checkbox', { name: 'I understand that people who signed before can sign again and be counted twice.' }).check();
      await page.getByRole('button', { name: 'Open the petition again' }).click();
      await page.waitForURL((url) => url.searchParams.get('done') === 'reopened');
    },
    SLOW,
  );

  it(
    'suspect review and all signatures, as a moderator',
    async () => {
      const page = await loggedInPage(moderator);
      await checkInBothLanguages(page, `/admin/petitions/${petitionId}/suspects`, 'the suspect signatures');
      await checkInBothLanguages(page, `/admin/petitions/${petitionId}/signatures`, 'all signatures');
      await page.goto(`/admin/petitions/${petitionId}/suspects?lang=en`);
      await page
        .getByRole('button', { name: /^Restore ?: signature \d+$/ })
        .first()
        .click();
      await page.waitForURL((url) => url.searchParams.get('done') === 'restored');
      expect(await page.getByRole('status').textContent()).toContain('The signature is restored');
      await expectNoAxeViolations(page, 'the suspect signatures after a restore');
      await checkInBothLanguages(page, `/admin/petitions/${petitionId}`, 'the petition page (moderator)');
    },
    SLOW,
  );

  it(
    'kill switches, flipped on and off',
    async () => {
      const page = await loggedInPage(owner);
      await checkInBothLanguages(page, '/admin/switches', 'the kill switches');
      await page.goto('/admin/switches?lang=en');
      await page.getByRole('button', { name: /^Turn on ?: Pause counting$/ }).click();
      await page.waitForURL((url) => url.searchParams.get('done') === 'on');
      expect(await page.getByRole('status').textContent()).toBe('“Pause counting” is now on.');
      await expectNoAxeViolations(page, 'the kill switches with one on');
      await page.getByRole('button', { name: /^Turn off ?: Pause counting$/ }).click();
      await page.waitForURL((url) => url.searchParams.get('done') === 'off');
      const moderatorPage = await loggedInPage(moderator);
      await checkInBothLanguages(moderatorPage, '/admin/switches', 'the kill switches (moderator)');
    },
    SLOW,
  );

  it(
    'development mailbox and one message',
    async () => {
      const page = await loggedInPage(owner);
      await checkInBothLanguages(page, '/admin/mail', 'the mailbox');
      await page.goto('/admin/mail?lang=en');
      await page.getByRole('link', { name: 'Пожалуйста, подтвердите подпись' }).click();
      await page.waitForURL((url) => url.pathname.startsWith('/admin/mail/'));
      expect(await page.getByRole('link', { name: `${config.publicUrl}/confirm/abc` }).isVisible()).toBe(true);
      expect(await page.getByRole('link', { name: 'https://elsewhere.example/x' }).count()).toBe(0);
      await checkInBothLanguages(page, new URL(page.url()).pathname, 'a mail message');
    },
    SLOW,
  );

  it(
    'accountability, endorsements and open letters: the organisers’ pages for each',
    async () => {
      const database = openDatabase({ url: fresh.url });
      let ids: { target: number; endorsement: number; letter: number };
      try {
        const first = async (table: 'targets' | 'endorsements' | 'letters') =>
          Number((await database.db.selectFrom(table).select('id').where('campaign_id', '=', campaignId).orderBy('id').executeTakeFirstOrThrow()).id);
        ids = { target: await first('targets'), endorsement: await first('endorsements'), letter: await first('letters') };
      } finally {
        await database.close();
      }
      const page = await loggedInPage(owner);
      await checkInBothLanguages(page, `/admin/campaigns/${campaignId}/accountability`, 'the targets');
      await checkInBothLanguages(page, `/admin/accountability/targets/${ids.target}`, 'a target with its asks, statements, picture and deliveries');
      await checkInBothLanguages(page, `/admin/campaigns/${campaignId}/endorsements`, 'the endorsements');
      await checkInBothLanguages(page, `/admin/endorsements/${ids.endorsement}`, 'an endorsement');
      await checkInBothLanguages(page, `/admin/campaigns/${campaignId}/letters`, 'the open letters');
      await checkInBothLanguages(page, `/admin/letters/${ids.letter}`, 'a letter with its signatories');
      await checkInBothLanguages(page, '/admin/security', 'the security page');

      // A statement sent with mistakes comes back with its error summary, beside the fields.
      await page.goto(`/admin/accountability/targets/${ids.target}?lang=en`);
      await page.getByLabel('Said on').fill('2999-01-01');
      await page.getByRole('button', { name: 'Record a statement' }).click();
      await page.waitForLoadState();
      expect(await page.getByRole('alert').first().isVisible()).toBe(true);
      await expectNoAxeViolations(page, 'a statement with errors');
    },
    SLOW,
  );

  it('logged no server errors along the way', () => {
    const errors = serverLogs.filter((line) => /"level":"(error|fatal)"/.test(line));
    expect(errors).toEqual([]);
  });
});
