/**
 * The evidence pages of the demo campaign pass axe-core's WCAG 2.2 AA checks in Debian's Chromium, in English and
 * Russian: "What we know" for the public, and the organisers' list, a fact, a source, an incident and a new-fact form.
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

describe.skipIf(!inject('hasBrowser'))('browser: the evidence pages are accessible', () => {
  let fresh: FreshDatabase;
  let server: RunningServer;
  let origin: string;
  let browser: JourneyBrowser | undefined;
  let organiser: { email: string; password: string };
  let adminPages: string[];

  beforeAll(async () => {
    ({ fresh, server, origin } = await startDemoServer('web', []));
    const database = openDatabase({ url: fresh.url });
    try {
      organiser = await makeUser(database.db, 'editor');
      const campaignId = (await findCampaignBySlug(database.db, SLUG))!.id;
      const first = (table: 'evidence_facts' | 'evidence_sources' | 'evidence_incidents') =>
        database.db.selectFrom(table).select('id').where('campaign_id', '=', campaignId).orderBy('id').executeTakeFirstOrThrow();
      adminPages = [
        `/admin/campaigns/${campaignId}/evidence`,
        `/admin/evidence/facts/${(await first('evidence_facts')).id}`,
        `/admin/evidence/sources/${(await first('evidence_sources')).id}`,
        `/admin/evidence/incidents/${(await first('evidence_incidents')).id}`,
        `/admin/campaigns/${campaignId}/evidence/facts/new`,
      ];
    } finally {
      await database.close();
    }
    browser = await openJourneyBrowser(origin);
  }, SLOW);

  afterAll(() => stopJourney(browser, server, fresh), SLOW);

  it(
    'passes axe on the public page and the organisers’ pages, in both languages',
    async () => {
      const page = await (await browser!.newContext({ bypassCSP: true })).newPage();
      for (const lang of ['en', 'ru']) {
        await page.goto(`/c/${SLUG}/evidence?lang=${lang}`);
        await expect.poll(() => page.locator('h1').textContent()).toBe(lang === 'en' ? 'What we know' : 'Что мы знаем');
        await page.locator('details.history').first().locator('summary').click();
        await expectNoAxeViolations(page, `evidence page (${lang})`);
      }
      const admin = await (await browser!.newContext({ bypassCSP: true })).newPage();
      await logInWithPassword(admin, organiser);
      await admin.waitForURL((url) => url.pathname === '/admin');
      for (const lang of ['en', 'ru']) {
        for (const url of adminPages) {
          await admin.goto(`${url}?lang=${lang}`);
          await expectNoAxeViolations(admin, `${url} (${lang})`);
        }
      }
    },
    SLOW,
  );
});
