/**
 * Runs once before the suite: finds out whether PostgreSQL, Chromium, nginx and systemd-analyze are here. With
 * REQUIRE_POSTGRES=1, REQUIRE_BROWSER=1, REQUIRE_PROXY=1 or REQUIRE_SYSTEMD=1 (CI sets all four) a missing one fails
 * the run; otherwise its suite is skipped, loudly.
 */
import { existsSync } from 'node:fs';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { CHROMIUM_PATH, NGINX_PATH, SYSTEMD_ANALYZE_PATH, SYSTEMD_UNITS_DIR, TEST_POSTGRES_URL } from './environment.ts';

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function banner(message: string): void {
  const line = '!'.repeat(78);
  process.stderr.write(`\n${line}\n!! ${message}\n${line}\n\n`);
}

export default async function setup(project: TestProject): Promise<void> {
  const hasPostgres = await postgresReachable();
  const hasBrowser = existsSync(CHROMIUM_PATH);
  const hasNginx = existsSync(NGINX_PATH);
  const hasSystemd = existsSync(SYSTEMD_ANALYZE_PATH) && existsSync(`${SYSTEMD_UNITS_DIR}/sysinit.target`);
  if (!hasPostgres) {
    if (process.env['REQUIRE_POSTGRES'] === '1') throw new Error(`PostgreSQL is required (REQUIRE_POSTGRES=1) but ${TEST_POSTGRES_URL} is not reachable.`);
    banner(`PostgreSQL not reachable at ${TEST_POSTGRES_URL}: the PostgreSQL half of every database test is SKIPPED.`);
  }
  if (!hasBrowser) {
    if (process.env['REQUIRE_BROWSER'] === '1') throw new Error(`A browser is required (REQUIRE_BROWSER=1) but ${CHROMIUM_PATH} does not exist.`);
    banner(`No Chromium at ${CHROMIUM_PATH}: the browser journeys are SKIPPED (apt-get install chromium).`);
  }
  if (!hasNginx) {
    if (process.env['REQUIRE_PROXY'] === '1') throw new Error(`nginx is required (REQUIRE_PROXY=1) but ${NGINX_PATH} does not exist.`);
    banner(`No nginx at ${NGINX_PATH}: the reverse-proxy tests (test/proxy.test.ts) are SKIPPED (apt-get install nginx).`);
  }
  if (!hasSystemd) {
    if (process.env['REQUIRE_SYSTEMD'] === '1')
      throw new Error(`systemd is required (REQUIRE_SYSTEMD=1) but ${SYSTEMD_ANALYZE_PATH} or its units are missing.`);
    banner(`No ${SYSTEMD_ANALYZE_PATH} (or its units): the systemd unit checks (test/deploy-units.test.ts) are SKIPPED (apt-get install systemd).`);
  }
  project.provide('hasPostgres', hasPostgres);
  project.provide('hasBrowser', hasBrowser);
  project.provide('hasNginx', hasNginx);
  project.provide('hasSystemd', hasSystemd);
}

declare module 'vitest' {
  export interface ProvidedContext {
    hasPostgres: boolean;
    hasBrowser: boolean;
    hasNginx: boolean;
    hasSystemd: boolean;
  }
}
