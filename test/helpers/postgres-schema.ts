/**
 * A PostgreSQL schema of its own for one test file or benchmark run, reached through `search_path` in the URL, and
 * dropped afterwards. Free of vitest, so the benchmarks can use it too.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export async function createPostgresSchema(baseUrl: string, prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  await runStatement(baseUrl, `create schema ${schema}`);
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { url: url.toString(), drop: () => runStatement(baseUrl, `drop schema ${schema} cascade`) };
}

async function runStatement(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
