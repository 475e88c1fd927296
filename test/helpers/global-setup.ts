/**
 * Runs once before the suite: finds out whether PostgreSQL and Chromium are here. With REQUIRE_POSTGRES=1 or
 * REQUIRE_BROWSER=1 (CI sets both) a missing one fails the run; otherwise its suite is skipped, loudly.
 */
import { existsSync } from 'node:fs';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { CHROMIUM_PATH, TEST_POSTGRES_URL } from './environment.ts';

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
  if (!hasPostgres) {
    if (process.env['REQUIRE_POSTGRES'] === '1') throw new Error(`PostgreSQL is required (REQUIRE_POSTGRES=1) but ${TEST_POSTGRES_URL} is not reachable.`);
    banner(`PostgreSQL not reachable at ${TEST_POSTGRES_URL}: the PostgreSQL half of every database test is SKIPPED.`);
  }
  if (!hasBrowser) {
    if (process.env['REQUIRE_BROWSER'] === '1') throw new Error(`A browser is required (REQUIRE_BROWSER=1) but ${CHROMIUM_PATH} does not exist.`);
    banner(`No Chromium at ${CHROMIUM_PATH}: the browser journeys are SKIPPED (apt-get install chromium).`);
  }
  project.provide('hasPostgres', hasPostgres);
  project.provide('hasBrowser', hasBrowser);
}

declare module 'vitest' {
  export interface ProvidedContext {
    hasPostgres: boolean;
    hasBrowser: boolean;
  }
}
