/**
 * A returning supporter whose browser fills the form in at once (autofill) signs within a second or two, well under
 * the three seconds a form stamp calls quick, confirms from the mail, and is counted: a fast form alone never sets a
 * real person aside. In Debian's Chromium against a real server with its worker.
 *
 * Skipped, loudly (see test/helpers/global-setup.ts), where Chromium is absent; REQUIRE_BROWSER=1 makes that a failure.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningServer } from '../../src/main.ts';
import type { FreshDatabase } from '../helpers/app.ts';
import { uniqueSuffix } from '../helpers/factories.ts';
import { confirmPathIn, waitForMail } from '../helpers/mailbox.ts';
import { openJourneyBrowser, SLOW, startDemoServer, type JourneyBrowser, stopJourney } from './browser.ts';

const DEMO_PATH = '/c/eyes-on-chechnya';

describe.skipIf(!inject('hasBrowser'))('browser journey: autofill, then confirm', () => {
  let fresh: FreshDatabase;
  let server: RunningServer;
  let origin: string;
  let browser: JourneyBrowser | undefined;

  beforeAll(async () => {
    ({ fresh, server, origin } = await startDemoServer('all', []));
    browser = await openJourneyBrowser(origin);
  }, SLOW);

  afterAll(() => stopJourney(browser, server, fresh), SLOW);

  it(
    'counts a signer whose browser filled the form at once',
    async () => {
      const page = await (await browser!.newContext()).newPage();
      const email = `autofill-${uniqueSuffix()}@example.org`;
      await page.goto(DEMO_PATH);
      // What autofill does: every field set in one go, then the person presses the button.
      await page.evaluate((address) => {
        const form = document.querySelector<HTMLFormElement>('form.sign-form')!;
        (form.elements.namedItem('name') as HTMLInputElement).value = 'Rita Autofill';
        (form.elements.namedItem('email') as HTMLInputElement).value = address;
        (form.elements.namedItem('country') as HTMLSelectElement).value = 'GB';
        (form.elements.namedItem('postcode') as HTMLInputElement).value = 'N1 9GU';
      }, email);
      await page.getByLabel(/^I agree that the organisers may store my signature/).check();
      await page.getByRole('button', { name: 'Sign', exact: true }).click();
      await page.waitForURL((url) => url.pathname === `${DEMO_PATH}/signed`);

      const mail = await waitForMail(fresh.dataDir, email);
      await page.goto(confirmPathIn(mail));
      await page.getByRole('button', { name: 'Confirm my signature' }).click();
      await expect.poll(() => page.getByRole('status').first().textContent(), { timeout: 10_000 }).toContain('confirmed');

      // The worker folds the count every two seconds; count.json is cached for two.
      const signatures = async () => ((await (await fetch(`${origin}${DEMO_PATH}/count.json`)).json()) as { signatures: number }).signatures;
      await expect.poll(signatures, { timeout: 20_000, interval: 500 }).toBe(1);
    },
    SLOW,
  );
});
