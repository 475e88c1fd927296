/**
 * /metrics on both databases: what a few signatures and a job leave there, that it names no person, campaign or id,
 * and that only allowed peers (judged by the connection, not by X-Forwarded-For) can tell it exists.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDialect, startTestApp, startTestWorker } from '../../test/helpers/app.ts';
import { makeCampaign, makeOrganisationKey, makePetition, queuedConfirmations } from '../../test/helpers/factories.ts';
import { signViaApi } from '../../test/helpers/signing.ts';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function samplesOf(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

/** The value of the one sample with this name and these labels (others may be there too), or undefined. */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

async function scrape(app: FastifyInstance): Promise<{ text: string; samples: Sample[] }> {
  const response = await app.inject({ method: 'GET', url: '/metrics' });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  expect(response.headers['cache-control']).toBe('no-store');
  return { text: response.body, samples: samplesOf(response.body) };
}

function signJson(app: FastifyInstance, slug: string, body: Record<string, unknown>) {
  const [a, b, c] = randomBytes(3);
  return app.inject({
    method: 'POST',
    url: `/c/${slug}/sign`,
    remoteAddress: `10.${a}.${b}.${Math.max(1, c!)}`,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    payload: JSON.stringify(body),
  });
}

describeEachDialect('/metrics', (ctx) => {
  let slug: string;
  const people = ['Zarema Metricova', 'Ilyas Gaugeov', 'Madina Counterova', 'Ruslan Suspectov'];
  const emails = people.map((name) => `${name.split(' ')[0]!.toLowerCase()}-${randomBytes(3).toString('hex')}@example.org`);

  beforeAll(async () => {
    const { db, app } = ctx();
    await makeOrganisationKey(db, app.signing.sealer);
    const campaign = await makeCampaign(db, { status: 'published' });
    await makePetition(db, campaign.id);
    slug = campaign.input.slug;
  });

  it('counts requests by route pattern, what became of each signature, the group commit, the job queue and the process', async () => {
    const { app } = ctx();
    for (const [i, name] of people.slice(0, 3).entries()) {
      expect(await signViaApi(app, slug, { name, email: emails[i]!, country: 'RU' })).toBe(202);
    }
    expect(await signViaApi(app, slug, { name: people[3]!, email: emails[3]!, country: 'RU', forgedStamp: true })).toBe(202);
    expect((await signJson(app, slug, { name: 'Bot', email: 'bot@example.org', country: 'RU', consent: true, website: 'spam' })).statusCode).toBe(202);
    expect((await signJson(app, slug, { name: 'No Address', country: 'RU', consent: true })).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: `/c/${slug}/no-such-page` })).statusCode).toBe(404);

    const { samples } = await scrape(app);
    const signRoute = { method: 'POST', route: '/c/:slug/sign' };
    expect(valueOf(samples, 'outcry_http_requests_total', { ...signRoute, status: '2xx' })).toBe(5);
    expect(valueOf(samples, 'outcry_http_requests_total', { ...signRoute, status: '4xx' })).toBe(1);
    expect(valueOf(samples, 'outcry_http_requests_total', { method: 'GET', route: '(unmatched)', status: '4xx' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, 'outcry_signatures_total', { outcome: 'accepted' })).toBe(3);
    expect(valueOf(samples, 'outcry_signatures_total', { outcome: 'suspect' })).toBe(1);
    expect(valueOf(samples, 'outcry_signatures_total', { outcome: 'ignored' })).toBe(1);
    expect(valueOf(samples, 'outcry_signing_refused_total', { code: 'validation_failed' })).toBe(1);
    expect(valueOf(samples, 'outcry_signing_refused_total', { code: 'rate_limited' })).toBe(0);
    // Four signatures were written (the bot's was not), in as many group commits as it took.
    const batches = valueOf(samples, 'outcry_signing_batch_size_count')!;
    expect(batches).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, 'outcry_signing_batch_size_sum')).toBe(4);
    expect(valueOf(samples, 'outcry_signing_commit_seconds_count')).toBe(batches);
    expect(valueOf(samples, 'outcry_signing_commit_seconds_bucket', { le: '+Inf' })).toBe(batches);
    expect(valueOf(samples, 'outcry_job_queue_depth', { state: 'due' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, 'outcry_job_queue_depth', { state: 'later' })).toBe(0);
    expect(valueOf(samples, 'outcry_job_queue_oldest_due_age_seconds')).toBeGreaterThanOrEqual(0);
    expect(valueOf(samples, 'outcry_live_listeners')).toBe(0);
    for (const name of ['nodejs_eventloop_lag_p99_seconds', 'process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes']) {
      expect(valueOf(samples, name), name).toBeGreaterThanOrEqual(0);
    }

    // The worker sends the mails: the queue is empty afterwards, and says so.
    const worker = startTestWorker(app);
    try {
      for (let tries = 0; (await queuedConfirmations(app)).length > 0; tries += 1) {
        if (tries > 200) throw new Error('the worker did not send the mails');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    } finally {
      await worker.stop();
    }
    const after = (await scrape(app)).samples;
    expect(valueOf(after, 'outcry_job_queue_depth', { state: 'due' })).toBe(0);
    expect(valueOf(after, 'outcry_job_queue_oldest_due_age_seconds')).toBe(0);
  });

  it('names no person, address, campaign or id: every label value is a pattern, a class or an outcome', async () => {
    const { app } = ctx();
    const { text, samples } = await scrape(app);
    expect(text).not.toContain('@');
    expect(text).not.toContain(slug);
    for (const name of [...people, ...emails, 'Bot', 'No Address']) expect(text).not.toContain(name);
    for (const sample of samples) {
      for (const [label, value] of Object.entries(sample.labels)) {
        // Routes are patterns (`/c/:slug/sign`); the runtime's version labels are the only other digits.
        if (label === 'route') expect(value).toMatch(/^(\(unmatched\)|(\/([a-z0-9._-]*|:[a-zA-Z]+|\*))+)$/);
        else if (sample.name !== 'nodejs_version_info') expect(value, `${sample.name} ${label}`).toMatch(/^([a-zA-Z_:.\-+]+|[0-9.e+-]+|[0-9]xx)$/);
      }
    }
  });

  it('is the ordinary 404 for a peer not allowed, and for a request that came through a proxy', async () => {
    const { app } = ctx();
    const elsewhere = await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '203.0.113.9' });
    const unknown = await app.inject({ method: 'GET', url: '/no-such-page', remoteAddress: '203.0.113.9' });
    expect(elsewhere.statusCode).toBe(404);
    expect(elsewhere.headers['content-type']).toBe(unknown.headers['content-type']);
    expect(elsewhere.body).not.toContain('# HELP');
    const proxied = await app.inject({ method: 'GET', url: '/metrics', headers: { 'x-forwarded-for': '127.0.0.1' } });
    expect(proxied.statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/metrics', headers: { forwarded: 'for=127.0.0.1' } })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '::1' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '::ffff:127.0.0.1' })).statusCode).toBe(200);
  });
});

describe('METRICS_ALLOW', () => {
  const apps: Awaited<ReturnType<typeof startTestApp>>[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  it('lets in the addresses it names, and nobody else, loopback included', async () => {
    const started = await startTestApp('sqlite', { METRICS_ALLOW: '203.0.113.0/24, 2001:db8::7' });
    apps.push(started);
    const { app } = started;
    expect((await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '203.0.113.9' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '2001:db8::7' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '198.51.100.1' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
  });

  it('turns it off with "none"', async () => {
    const started = await startTestApp('sqlite', { METRICS_ALLOW: 'none' });
    apps.push(started);
    expect((await started.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
  });
});
