/**
 * An organiser records a fact with two sources, has the worker capture one of them (the page is served by a server
 * on 127.0.0.1 in this test, which the capture settings allow, and a local `openssl ts` authority timestamps the copy),
 * links the authorities' denial and marks the fact denied; the public page then shows the fact with both sources, the
 * archived copy with its hash and timestamp, and the denial beside it — with axe-core's WCAG 2.2 AA checks. The copy
 * downloads as a sandboxed attachment. In Debian's Chromium against a real server (web and worker) with the demo loaded.
 *
 * Skipped, loudly (see test/helpers/global-setup.ts), where Chromium is absent; REQUIRE_BROWSER=1 makes that a failure.
 */
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase } from '../../src/db/database.ts';
import { findCampaignBySlug } from '../../src/features/campaigns/queries.ts';
import type { RunningServer } from '../../src/main.ts';
import type { FreshDatabase } from '../helpers/app.ts';
import { makeUser } from '../helpers/factories.ts';
import { startTimestampAuthority, type TimestampAuthority } from '../helpers/timestamp-authority.ts';
import { expectNoAxeViolations, logInWithPassword, openJourneyBrowser, SLOW, startDemoServer, stopJourney, type JourneyBrowser } from './browser.ts';

const SLUG = 'eyes-on-chechnya';
const CLAIM = 'Journey: more than 100 men were held in a secret prison.';
const ARTICLE = '<!doctype html><html lang="en"><title>Secret prison</title><p>More than 100 men were held in a secret prison.</p></html>';

describe.skipIf(!inject('hasBrowser'))('browser journey: evidence with a captured source', () => {
  let fresh: FreshDatabase;
  let server: RunningServer;
  let origin: string;
  let browser: JourneyBrowser | undefined;
  let organiser: { email: string; password: string };
  let campaignId: number;
  let tsa: TimestampAuthority;
  let site: http.Server;
  let siteOrigin: string;

  beforeAll(async () => {
    tsa = await startTimestampAuthority();
    const trustFile = path.join(tsa.dir, 'trust-anchors.pem');
    writeFileSync(trustFile, tsa.caPem);
    site = http.createServer((req, res) => {
      if (req.url === '/article') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(ARTICLE);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteOrigin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    ({ fresh, server, origin } = await startDemoServer('all', [], {
      EVIDENCE_CAPTURE_ALLOW_PRIVATE: '127.0.0.1',
      EVIDENCE_TSA_URLS: tsa.url,
      EVIDENCE_TSA_TRUST_FILE: trustFile,
    }));
    const database = openDatabase({ url: fresh.url });
    try {
      organiser = await makeUser(database.db, 'editor');
      campaignId = (await findCampaignBySlug(database.db, SLUG))!.id;
    } finally {
      await database.close();
    }
    browser = await openJourneyBrowser(origin);
  }, SLOW);

  afterAll(async () => {
    await stopJourney(browser, server, fresh);
    site?.closeAllConnections();
    await new Promise<void>((resolve) => (site ? site.close(() => resolve()) : resolve()));
    await tsa?.close();
  }, SLOW);

  it(
    'shows the public a denied fact with both sources, the archived copy and the denial beside it',
    async () => {
      const admin = await (await browser!.newContext({ bypassCSP: true })).newPage();
      await logInWithPassword(admin, organiser);
      await admin.waitForURL((url) => url.pathname === '/admin');

      const addSource = async (publisher: string, title: string, url: string) => {
        await admin.goto(`/admin/campaigns/${campaignId}/evidence/sources/new`);
        await admin.getByLabel('Publisher', { exact: true }).fill(publisher);
        await admin.getByLabel('Title', { exact: true }).fill(title);
        await admin.getByLabel('Web address', { exact: true }).fill(url);
        await admin.getByLabel('Quoted passage').fill('More than 100 men were held in a secret prison.');
        await admin.getByRole('textbox', { name: 'Language' }).fill('en');
        await admin.getByLabel(/Show on the public page/).check();
        await admin.getByRole('button', { name: 'Add a source' }).click();
        await admin.waitForURL((u) => u.pathname.startsWith('/admin/evidence/sources/') && u.searchParams.get('done') === 'created');
        return new URL(admin.url()).pathname;
      };
      const captured = await addSource('Example Gazette', 'Men held in a secret prison', `${siteOrigin}/article`);
      await addSource('Example Courier', 'A second report of the prison', 'https://courier.example.org/prison');

      await admin.goto(`/admin/campaigns/${campaignId}/evidence/facts/new`);
      await admin.getByLabel('Claim').fill(CLAIM);
      await admin.getByRole('textbox', { name: 'Language' }).fill('en');
      await admin.getByLabel('First reported on').fill('2017-04-01');
      await admin.getByLabel(/Show on the public page/).check();
      await admin.getByLabel('Example Gazette: Men held in a secret prison').check();
      await admin.getByLabel('Example Courier: A second report of the prison').check();
      await admin.getByRole('button', { name: 'Add a fact' }).click();
      await admin.waitForURL((u) => u.pathname.startsWith('/admin/evidence/facts/') && u.searchParams.get('done') === 'created');
      const factPage = new URL(admin.url()).pathname;

      // The worker fetches the page from the local server, keeps its WARC, then the local authority timestamps it.
      await admin.goto(captured);
      await admin.getByRole('button', { name: 'Capture this page' }).click();
      await admin.waitForURL((u) => u.searchParams.get('done') === 'capture-requested');
      await expect
        .poll(
          async () => {
            await admin.reload();
            return admin.locator('.source-captures').textContent();
          },
          { timeout: 60_000, interval: 500 },
        )
        .toContain('Timestamped by');
      expect(await admin.locator('.source-captures').textContent()).toContain('Archived copy, captured on');
      await expectNoAxeViolations(admin, 'source admin page with its captured copy');

      await admin.goto(factPage);
      const statement = admin.getByLabel('Statement', { exact: true });
      const denial = (await statement.locator('option').allTextContents()).find((label) => label.includes('Denied') || label.includes('denied'));
      await statement.selectOption({ label: denial ?? (await statement.locator('option').first().textContent())! });
      await admin.getByLabel('The statement', { exact: true }).selectOption('denies');
      await admin.getByRole('button', { name: 'Link this statement' }).click();
      await admin.waitForURL((u) => u.searchParams.get('done') === 'linked');
      await admin.getByLabel('Status').selectOption('denied');
      await admin.getByRole('button', { name: 'Save' }).click();
      await admin.waitForURL((u) => u.searchParams.get('done') === 'saved');

      const publicPage = await (await browser!.newContext({ bypassCSP: true })).newPage();
      await publicPage.goto(`/c/${SLUG}/evidence`);
      const fact = publicPage.locator('article.fact', { hasText: CLAIM });
      await expect.poll(() => fact.count()).toBe(1);
      const text = (await fact.textContent()) ?? '';
      expect(text).toContain('Denied by the authorities');
      expect(text).toContain('Men held in a secret prison');
      expect(text).toContain('A second report of the prison');
      expect(text).toContain('Archived copy, captured on');
      expect(text).toContain('Timestamped by CN=Outcry Test TSA');
      expect(text).toMatch(/Denied by /);
      await expectNoAxeViolations(publicPage, 'evidence page with the captured copy and the denial');
      // Reflows to 320 px (WCAG 1.4.10): a 64-character hash wraps rather than widening the page.
      await publicPage.setViewportSize({ width: 320, height: 640 });
      expect(await publicPage.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
      await publicPage.setViewportSize({ width: 1280, height: 800 });
      // The demo's own sources carry the shipped copy of the article (uploaded, not fetched).
      expect(await publicPage.getByText(/Copy uploaded by the organisers on/).count()).toBeGreaterThan(0);

      const download = fact.getByRole('link', { name: /Download \(WARC/ });
      const response = await publicPage.request.get((await download.getAttribute('href'))!);
      expect(response.status()).toBe(200);
      expect(response.headers()['content-type']).toBe('application/warc');
      expect(response.headers()['content-disposition']).toMatch(/^attachment; filename="capture-\d+\.warc"$/);
      expect(response.headers()['content-security-policy']).toBe("sandbox; default-src 'none'");
      expect((await response.body()).toString('utf8')).toContain(ARTICLE);
    },
    SLOW,
  );
});
