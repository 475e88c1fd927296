/**
 * npm run bench:evidence [-- runs] [revisions] — how fast the evidence ledger is verified: `verifyLedger` (what
 * `outcry evidence verify` runs) over a SQLite ledger of 1,000,000 revisions by default, and the command itself as a
 * process, against `sha256sum` over a file of exactly the canonical bytes verifying hashes, on the same machine in the
 * same run. Reported as bytes hashed per second, and the ratio to sha256sum's (the goal is at least 0.5). verifyLedger
 * uses both cores here, as the command does (this thread and a worker thread). The ledger is written straight into the
 * database in bulk, with the hashes the ledger module computes, so it verifies as intact. Runs alternate; medians
 * reported. Not a test: nothing asserts timing.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { createCampaign } from '../src/features/campaigns/index.ts';
import {
  canonicalJson,
  dataHashInput,
  GENESIS_HASH,
  newNonce,
  revisionHashInput,
  sha256Hex,
  verifyLedger,
  type RevisionHeader,
} from '../src/features/evidence/ledger.ts';
import type { EvidenceEntity } from '../src/db/schema.ts';
import { median, ROOT, runFacts, waitForIdle } from './processes.ts';

const [runsArg, revisionsArg] = process.argv.slice(2);
const RUNS = Number(runsArg ?? 3);
const REVISIONS = Number(revisionsArg ?? 1_000_000);
const CHUNK = 20_000;

/** A small deterministic generator, so every run fills the same ledger. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const LATIN = 'More than one hundred men were detained and held in unofficial prisons; at least three were killed. '.split(' ');
const CYRILLIC = 'Более ста мужчин задержаны и содержатся в неофициальных тюрьмах, как минимум трое убиты. '.split(' ');

function words(next: () => number, pool: string[], min: number, max: number): string {
  const count = min + Math.floor(next() * (max - min));
  return Array.from({ length: count }, () => pool[Math.floor(next() * pool.length)]).join(' ');
}

/** An entity's state as the service records it: facts, sources and incidents of realistic sizes. */
function stateOf(entity: EvidenceEntity, id: number, version: number, next: () => number): unknown {
  const day = new Date(Date.UTC(2017, 3, 1) + Math.floor(next() * 900) * 86_400_000).toISOString().slice(0, 10);
  if (entity === 'fact') {
    return {
      id,
      lang: 'en',
      claim: words(next, LATIN, 12, 60),
      figure: next() < 0.6 ? { value: Math.floor(next() * 500), unit: 'people', qualifier: 'at-least' } : null,
      status: ['reported', 'corroborated', 'denied'][version % 3],
      firstReportedOn: day,
      firstReportedApproximate: next() < 0.2,
      public: next() < 0.8,
      sourceIds: [id, id + 1],
      statements:
        next() < 0.3
          ? [
              {
                statementId: id,
                relation: 'denies',
                targetId: 1,
                targetName: 'Ramzan Kadyrov',
                stance: 'denied',
                statedOn: day,
                quote: words(next, CYRILLIC, 6, 30),
                lang: 'ru',
              },
            ]
          : [],
    };
  }
  if (entity === 'source') {
    return {
      id,
      publisher: 'Novaya Gazeta',
      title: words(next, CYRILLIC, 3, 10),
      url: `https://novayagazeta.ru/articles/2017/04/01/${70000 + id}`,
      publishedOn: day,
      publishedApproximate: false,
      quote: words(next, CYRILLIC, 10, 80),
      lang: 'ru',
      public: true,
    };
  }
  return {
    id,
    startsOn: day,
    endsOn: null,
    approximate: true,
    region: 'Chechnya',
    counts: { detained: Math.floor(next() * 100), tortured: null, killed: Math.floor(next() * 5), disappeared: null, released: null },
    description: words(next, LATIN, 10, 50),
    lang: 'en',
    public: next() < 0.7,
    factIds: [id],
    sourceIds: [id],
  };
}

/** Writes REVISIONS revisions of one campaign, correctly chained, and the bytes their hashes cover to `bytesFile`. */
function fill(dbFile: string, campaignId: number, bytesFile: string): number {
  const started = Date.now();
  const db = new SQLite(dbFile);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const insert = db.prepare(
    `insert into evidence_revisions (campaign_id, seq, entity, entity_id, version, public, nonce, data, data_hash, author_id, created_at, prev_hash, hash)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, null, ?, ?, ?)`,
  );
  const out = openSync(bytesFile, 'w');
  const next = random(13);
  const versions = new Map<string, number>();
  let prev = GENESIS_HASH;
  let bytes = 0;
  for (let start = 1; start <= REVISIONS; start += CHUNK) {
    const pieces: string[] = [];
    db.transaction(() => {
      for (let seq = start; seq < start + CHUNK && seq <= REVISIONS; seq += 1) {
        const draw = next();
        const entity: EvidenceEntity = draw < 0.5 ? 'fact' : draw < 0.8 ? 'source' : 'incident';
        const entityId = 1 + Math.floor(next() * 20_000);
        const key = `${entity}:${entityId}`;
        const version = (versions.get(key) ?? 0) + 1;
        versions.set(key, version);
        const state = stateOf(entity, entityId, version, next) as { public: boolean };
        const nonce = newNonce();
        const data = canonicalJson(state);
        const dataInput = dataHashInput(nonce, data);
        const at = new Date(Date.UTC(2026, 0, 1) + seq * 1000).toISOString();
        const header: RevisionHeader = {
          campaign: campaignId,
          seq,
          entity,
          entityId,
          version,
          public: state.public,
          dataHash: sha256Hex(dataInput),
          author: null,
          at,
          prev,
        };
        const headerInput = revisionHashInput(header);
        const hash = sha256Hex(headerInput);
        insert.run(campaignId, seq, entity, entityId, version, state.public ? 1 : 0, nonce, data, header.dataHash, at, prev, hash);
        pieces.push(dataInput, headerInput);
        prev = hash;
      }
    })();
    const chunk = Buffer.from(pieces.join(''), 'utf8');
    writeSync(out, chunk);
    bytes += chunk.length;
    process.stderr.write(`\rfilled ${Math.min(REVISIONS, start + CHUNK - 1).toLocaleString('en-US')} / ${REVISIONS.toLocaleString('en-US')}`);
  }
  closeSync(out);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  process.stderr.write(`\nfill took ${Math.round((Date.now() - started) / 1000)} s\n`);
  return bytes;
}

/** `outcry evidence verify` as an operator runs it: a process of its own, its start (bundling the sources) included. */
function timeCommand(dbFile: string): { seconds: number; waitedForIdleMs: number } {
  const waitedForIdleMs = waitForIdle();
  const started = performance.now();
  const result = spawnSync(path.join(ROOT, 'bin/outcry.js'), ['evidence', 'verify'], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', DATA_DIR: path.dirname(dbFile), DATABASE_URL: `sqlite:${dbFile}`, LOG_LEVEL: 'warn' },
  });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0 || !result.stdout.includes('chain intact')) throw new Error(`outcry evidence verify failed: ${result.stdout}${result.stderr}`);
  return { seconds, waitedForIdleMs };
}

function timeSha256sum(file: string): { seconds: number; waitedForIdleMs: number } {
  const waitedForIdleMs = waitForIdle();
  const started = performance.now();
  const result = spawnSync('sha256sum', [file], { encoding: 'utf8' });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`sha256sum failed: ${result.stderr}`);
  return { seconds, waitedForIdleMs };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'outcry-bench-evidence-'));
  const dbFile = path.join(dir, 'outcry.db');
  const bytesFile = path.join(dir, 'hashed-bytes.bin');
  try {
    const setup = openDatabase({ url: `sqlite:${dbFile}` });
    await migrateToLatest(setup.db);
    const campaignId = await createCampaign(setup.db, {
      userId: null,
      input: {
        slug: 'bench-evidence',
        hashtag: 'BenchEvidence',
        goal: 1000,
        startDate: '2017-04-01',
        startDateApproximate: false,
        locales: ['en'],
        featured: false,
        texts: { en: { title: 'Bench', summary: 'Bench.', storyMd: 'Bench.', counterLabel: '' } },
      },
    });
    await setup.close();
    const bytes = fill(dbFile, campaignId, bytesFile);
    if (statSync(bytesFile).size !== bytes) throw new Error('the bytes file is incomplete');
    // Read once, untimed: both sides then read from the page cache.
    spawnSync('sha256sum', [bytesFile]);

    const database = openDatabase({ url: `sqlite:${dbFile}` });
    const verifyRuns: { seconds: number; waitedForIdleMs: number; bytesHashed: number; threads: number; rssMb: number }[] = [];
    const commandRuns: { seconds: number; waitedForIdleMs: number }[] = [];
    const sumRuns: { seconds: number; waitedForIdleMs: number }[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      const waitedForIdleMs = waitForIdle();
      const started = performance.now();
      const report = await verifyLedger(database);
      const seconds = (performance.now() - started) / 1000;
      if (report.broken || report.revisions !== REVISIONS) throw new Error(`the bench ledger did not verify: ${JSON.stringify(report.broken)}`);
      // Memory stays flat however long the chain: pages of revisions are read and dropped, on each thread.
      verifyRuns.push({
        seconds,
        waitedForIdleMs,
        bytesHashed: report.bytesHashed,
        threads: report.threads,
        rssMb: Math.round(process.memoryUsage().rss / 1048576),
      });
      commandRuns.push(timeCommand(dbFile));
      sumRuns.push(timeSha256sum(bytesFile));
      process.stderr.write(
        `run ${run + 1}/${RUNS}: verifyLedger ${seconds.toFixed(2)} s (${report.bytesHashed.toLocaleString('en-US')} bytes), ` +
          `outcry evidence verify ${commandRuns.at(-1)!.seconds.toFixed(2)} s, sha256sum ${sumRuns.at(-1)!.seconds.toFixed(2)} s\n`,
      );
    }
    await database.close();
    const hashed = verifyRuns[0]!.bytesHashed;
    if (hashed !== bytes) throw new Error(`verify hashed ${hashed} bytes, the file has ${bytes}`);
    const verifySeconds = median(verifyRuns.map((r) => r.seconds));
    const commandSeconds = median(commandRuns.map((r) => r.seconds));
    const sumSeconds = median(sumRuns.map((r) => r.seconds));
    const verifyBytesPerSecond = Math.round(bytes / verifySeconds);
    const sumBytesPerSecond = Math.round(bytes / sumSeconds);
    const summary = {
      // Not pinned: verify and sha256sum take turns on whichever core is free.
      ...runFacts(),
      pinned: false,
      revisions: REVISIONS,
      runs: RUNS,
      bytesHashed: bytes,
      verifyLedger: {
        threads: verifyRuns[0]!.threads,
        medianSeconds: Number(verifySeconds.toFixed(3)),
        bytesPerSecond: verifyBytesPerSecond,
        revisionsPerSecond: Math.round(REVISIONS / verifySeconds),
        runs: verifyRuns,
      },
      command: { medianSeconds: Number(commandSeconds.toFixed(3)), bytesPerSecond: Math.round(bytes / commandSeconds), runs: commandRuns },
      sha256sum: { medianSeconds: Number(sumSeconds.toFixed(3)), bytesPerSecond: sumBytesPerSecond, runs: sumRuns },
      ratio: Number((verifyBytesPerSecond / sumBytesPerSecond).toFixed(3)),
      commandRatio: Number((sumSeconds / commandSeconds).toFixed(3)),
    };
    mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
    // A second run on the same day keeps the first: its name takes the time of day too.
    let name = `evidence-${REVISIONS}-${summary.date.slice(0, 10)}.json`;
    if (existsSync(path.join(ROOT, 'bench/results', name))) name = `evidence-${REVISIONS}-${summary.date.slice(0, 16).replace(/[T:]/g, '-')}.json`;
    const { generator: _generator, ...facts } = summary;
    writeFileSync(path.join(ROOT, 'bench/results', name), `${JSON.stringify(facts, null, 2)}\n`);
    process.stdout.write(
      `${JSON.stringify(
        {
          file: `bench/results/${name}`,
          revisions: REVISIONS,
          bytesHashed: bytes,
          verifyLedger: { seconds: summary.verifyLedger.medianSeconds, bytesPerSecond: verifyBytesPerSecond },
          command: { seconds: summary.command.medianSeconds, bytesPerSecond: summary.command.bytesPerSecond },
          sha256sum: { seconds: summary.sha256sum.medianSeconds, bytesPerSecond: sumBytesPerSecond },
          ratio: summary.ratio,
          commandRatio: summary.commandRatio,
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
