/** What every browser journey shares: Debian's Chromium started the same way, and axe-core's WCAG 2.2 AA check. */
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { Writable } from 'node:stream';
import { expect } from 'vitest';
import type { Config } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { startOutcry, type Role, type RunningServer } from '../../src/main.ts';
import { createFreshDatabase, testConfig, type FreshDatabase } from '../helpers/app.ts';
import { CHROMIUM_PATH } from '../helpers/environment.ts';

/** Browser start and first page loads can take seconds on a small, busy machine. */
export const SLOW = 120_000;
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

const axeSource = readFileSync(path.join(path.dirname(createRequire(import.meta.url).resolve('axe-core')), 'axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** Headless Chromium without the background traffic this closed network would refuse. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    timeout: SLOW,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** One Chromium for a journey: its contexts open on the server's origin with patient timeouts, and close together. */
export interface JourneyBrowser {
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  close(): Promise<void>;
}

export async function openJourneyBrowser(origin: string): Promise<JourneyBrowser> {
  const browser = await launchChromium();
  const contexts: BrowserContext[] = [];
  return {
    async newContext(options = {}) {
      const context = await browser.newContext({ baseURL: origin, locale: 'en-GB', ...options });
      context.setDefaultTimeout(30_000);
      context.setDefaultNavigationTimeout(60_000);
      contexts.push(context);
      return context;
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
    },
  };
}

/**
 * Runs axe-core's WCAG 2.0/2.1/2.2 A and AA rules on the page as it stands. addScriptTag injects axe as an inline
 * script, which the page's CSP (rightly) refuses, so the pages checked are opened in contexts made with
 * `bypassCSP: true`; that changes nothing axe looks at.
 */
export async function expectNoAxeViolations(page: Page, name: string): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async (values) => {
    const result = await (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: AxeViolation[] }> } }).axe.run(
      document,
      {
        runOnly: { type: 'tag', values },
      },
    );
    return result.violations.map(({ id, impact, help, helpUrl, nodes }) => ({
      id,
      impact,
      help,
      helpUrl,
      nodes: nodes.map(({ target, failureSummary }) => ({ target, failureSummary })),
    }));
  }, WCAG_TAGS);
  const report = violations
    .map(
      (v: AxeViolation) =>
        `- ${v.id} (${v.impact}): ${v.help} <${v.helpUrl}>\n${v.nodes.map((n) => `    ${JSON.stringify(n.target)}: ${n.failureSummary ?? ''}`.replace(/\n/g, '\n      ')).join('\n')}`,
    )
    .join('\n');
  expect(violations, `axe found WCAG violations on ${name}:\n${report}`).toEqual([]);
}

/**
 * A real server on a free port over a fresh SQLite database with the demo campaign loaded; its log lines are
 * collected into `logs` so a journey can check that nothing went wrong on the server side.
 */
export async function startDemoServer(
  role: Role,
  logs: string[],
  env: Record<string, string> = {},
): Promise<{ fresh: FreshDatabase; config: Config; server: RunningServer; origin: string }> {
  const fresh = await createFreshDatabase('sqlite');
  const config = testConfig({ databaseUrl: fresh.url, dataDir: fresh.dataDir, env: { PORT: '0', LOAD_DEMO: 'true', ...env } });
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(chunk.toString('utf8'));
      callback();
    },
  });
  const server = await startOutcry({ config, role, logger: createLogger({ level: 'info', destination }) });
  if (!server.address) throw new Error('the server did not report its address');
  return { fresh, config, server, origin: new URL(server.address).origin };
}

/** Fills and sends the login form as an organiser would (the page goes on to the dashboard or the second step). */
export async function logInWithPassword(page: Page, user: { email: string; password: string }): Promise<void> {
  await page.goto('/admin/login');
  await page.getByLabel('Email address').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** A TCP port nobody listens on now, for a server whose public URL must name its port before it starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Closes what a journey opened (whichever parts it got to), in order: the browser, the server, the database. */
export async function stopJourney(browser: JourneyBrowser | undefined, server: RunningServer | undefined, fresh: FreshDatabase | undefined): Promise<void> {
  await browser?.close();
  await server?.stop();
  await fresh?.drop();
}
