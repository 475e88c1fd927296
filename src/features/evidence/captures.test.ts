/**
 * Kept copies against real servers on 127.0.0.1 (the one address these tests allow) and real timestamp authorities
 * (`openssl ts` on loopback): a capture stored as a WARC whose hash is right and named in the source's chain, refusals
 * recorded in words, tokens verified or kept as not trusted with their reason, uploads recognised by their bytes, and
 * the hourly head timestamps with an injected clock.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WARCParser } from 'warcio';
import type { EvidenceSettings } from '../../config.ts';
import { describeEachDialect, type TestContext } from '../../../test/helpers/app.ts';
import { makeCampaign } from '../../../test/helpers/factories.ts';
import { startTimestampAuthority, type TimestampAuthority } from '../../../test/helpers/timestamp-authority.ts';
import { addDemoArticleCopy, DEMO_ARTICLE_WARC } from './captures-demo.ts';
import { findCaptureById, readCaptureBytes } from './captures-store.ts';
import {
  HEAD_TIMESTAMP_EVERY_MS,
  loadSourceCopies,
  requestSourceCapture,
  reverifyTimestamps,
  runCapture,
  timestampChangedHeads,
  uploadSourceCopy,
} from './captures.ts';
import { recogniseCopyType } from './copy-types.ts';
import { verifyLedger } from './ledger.ts';
import { createSource, getSource, listEntityHistory } from './service.ts';
import { sourceInput, testClock } from './test-fixtures.ts';

let trusted: TimestampAuthority;
let stranger: TimestampAuthority;
let folder: string;
let trustFile: string;
let site: { origin: string; close(): Promise<void> };
const PAGE = '<!doctype html><html lang="en"><title>Honour killing</title><p>More than 100 men were detained.</p></html>';

/** The page, a redirect into a private network, a page larger than allowed, and one that never ends. */
function serve(req: IncomingMessage, res: ServerResponse): void {
  if (req.url === '/page') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
  else if (req.url === '/moved') res.writeHead(302, { location: '/page' }).end();
  else if (req.url === '/to-private') res.writeHead(302, { location: 'http://10.20.30.40/admin' }).end();
  else if (req.url === '/huge') res.writeHead(200, { 'content-type': 'text/plain' }).end(Buffer.alloc(3 * 1024 * 1024, 0x61));
  else if (req.url === '/slow') res.writeHead(200, { 'content-type': 'text/plain' }).write('the beginning, and nothing more');
  else res.writeHead(404).end();
}

/** An "authority" that answers with bytes that are no timestamp reply at all. */
let broken: { url: string; close(): Promise<void> };

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ origin: string; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

beforeAll(async () => {
  [trusted, stranger] = await Promise.all([startTimestampAuthority(), startTimestampAuthority()]);
  folder = mkdtempSync(path.join(tmpdir(), 'outcry-captures-'));
  trustFile = path.join(folder, 'trust.pem');
  writeFileSync(trustFile, trusted.caPem);
  site = await listen(serve);
  const garbage = await listen((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(Buffer.from('not a timestamp reply')));
  });
  broken = { url: `${garbage.origin}/tsa`, close: garbage.close };
}, 60_000);

afterAll(async () => {
  await Promise.all([trusted?.close(), stranger?.close(), site?.close(), broken?.close()]);
  rmSync(folder, { recursive: true, force: true });
});

function settings(overrides: Partial<EvidenceSettings> = {}): EvidenceSettings {
  return {
    captureMaxBytes: 1024 * 1024,
    captureTimeoutMs: 10_000,
    captureMaxRedirects: 5,
    captureAllowPrivate: ['127.0.0.1'],
    tsaUrls: [trusted.url],
    tsaTrustFile: trustFile,
    ...overrides,
  };
}

async function readAll(ctx: TestContext, captureId: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of readCaptureBytes(ctx.db, captureId)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function makeSource(ctx: TestContext, url: string, isPublic = true) {
  const campaign = await makeCampaign(ctx.db, { status: 'published' });
  const sourceId = await createSource(ctx.database, { userId: null, clock: testClock, campaignId: campaign.id, input: sourceInput({ url, public: isPublic }) });
  return { campaignId: campaign.id, sourceId };
}

describeEachDialect('evidence captures', (ctx) => {
  async function capture(url: string, evidence: EvidenceSettings = settings()) {
    const { campaignId, sourceId } = await makeSource(ctx(), url);
    const captureId = await requestSourceCapture(ctx().database, { userId: null, sourceId, dataKey: ctx().app.deps.keys.dataKey });
    await runCapture({ database: ctx().database, config: { ...ctx().config, evidence } }, captureId);
    return { campaignId, sourceId, captureId, record: (await findCaptureById(ctx().db, captureId))! };
  }

  it('fetches the page through a redirect, keeps the WARC in chunks with its hash, and names the hash in the chain', async () => {
    const { campaignId, sourceId, captureId, record } = await capture(`${site.origin}/moved`);
    expect(record).toMatchObject({ state: 'stored', kind: 'fetched', fileType: 'warc', httpStatus: 200, finalUrl: `${site.origin}/page` });
    expect(record.contentType).toBe('text/html; charset=utf-8');
    const warc = await readAll(ctx(), captureId);
    expect(record.size).toBe(warc.length);
    expect(record.sha256).toBe(createHash('sha256').update(warc).digest('hex'));

    const records = [];
    for await (const entry of new WARCParser(new Blob([new Uint8Array(warc)]).stream()))
      records.push({ type: entry.warcType, uri: entry.warcTargetURI, body: await entry.readFully() });
    const final = records.filter((r) => r.type === 'response').at(-1)!;
    expect(final.uri).toBe(`${site.origin}/page`);
    expect(Buffer.from(final.body).toString('utf8')).toContain(PAGE);

    const history = await listEntityHistory(ctx().db, { entity: 'source', entityId: sourceId, publicView: false });
    expect(history).toHaveLength(2);
    expect(history[1]!.data).toMatchObject({ captures: [{ id: captureId, kind: 'fetched', sha256: record.sha256, capturedAt: record.capturedAt }] });
    const report = await verifyLedger(ctx().database);
    expect(report.broken).toBeNull();
    expect(report.heads.find((h) => h.campaignId === campaignId)?.seq).toBe(2);

    const audit = await ctx()
      .db.selectFrom('audit_log')
      .select('action')
      .where('entity_type', '=', 'evidence_source')
      .where('entity_id', '=', String(sourceId))
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['evidence.source.create', 'evidence.source.capture-request', 'evidence.source.capture']);

    const [copy] = await loadSourceCopies(ctx().db, sourceId);
    expect(copy!.timestamps).toHaveLength(1);
    expect(copy!.timestamps[0]).toMatchObject({ verified: true, digest: record.sha256, tsaUrl: trusted.url, reason: null });
    expect(copy!.timestamps[0]!.authority).toContain('Outcry Test TSA');
    expect(Date.parse(copy!.timestamps[0]!.genTime!)).not.toBeNaN();
  });

  it('refuses a redirect into a private network and records why, keeping nothing', async () => {
    const { sourceId, captureId, record } = await capture(`${site.origin}/to-private`);
    expect(record).toMatchObject({ state: 'failed', errorReason: 'private-address', finalUrl: 'http://10.20.30.40/admin', sha256: null });
    expect(record.error).toContain('10.20.30.40');
    expect(await readAll(ctx(), captureId)).toHaveLength(0);
    expect(await listEntityHistory(ctx().db, { entity: 'source', entityId: sourceId, publicView: false })).toHaveLength(1);
  });

  it('refuses a page larger than allowed, and one that does not finish in time', async () => {
    const huge = await capture(`${site.origin}/huge`);
    expect(huge.record).toMatchObject({ state: 'failed', errorReason: 'too-large' });
    const slow = await capture(`${site.origin}/slow`, settings({ captureTimeoutMs: 1000 }));
    expect(slow.record).toMatchObject({ state: 'failed', errorReason: 'timeout' });
    expect(await readAll(ctx(), slow.captureId)).toHaveLength(0);
  });

  it('runs a capture once: a second run of the same job finds it taken', async () => {
    const { captureId, record } = await capture(`${site.origin}/page`);
    await runCapture({ database: ctx().database, config: { ...ctx().config, evidence: settings() } }, captureId);
    expect(await findCaptureById(ctx().db, captureId)).toEqual(record);
  });

  it('leaves a capture another worker is fetching for a later try, and takes over one abandoned long enough', async () => {
    const { sourceId } = await makeSource(ctx(), `${site.origin}/page`);
    const captureId = await requestSourceCapture(ctx().database, { userId: null, sourceId, dataKey: ctx().app.deps.keys.dataKey });
    const job = { database: ctx().database, config: { ...ctx().config, evidence: settings() } };
    const startedAt = Date.parse('2027-01-01T00:00:00Z');
    await ctx()
      .db.updateTable('evidence_captures')
      .set({ state: 'fetching', started_at: new Date(startedAt).toISOString() })
      .where('id', '=', captureId)
      .execute();
    await expect(runCapture(job, captureId, { now: () => startedAt + 60_000 })).rejects.toMatchObject({ code: 'CAPTURE_BUSY' });
    expect((await findCaptureById(ctx().db, captureId))!.state).toBe('fetching');
    await runCapture(job, captureId, { now: () => startedAt + 60 * 60_000 });
    expect((await findCaptureById(ctx().db, captureId))!.state).toBe('stored');
  });

  it('keeps a token from an authority outside the trust file as not trusted, with its reason', async () => {
    const { sourceId, record } = await capture(`${site.origin}/page`, settings({ tsaUrls: [trusted.url, stranger.url] }));
    const [copy] = await loadSourceCopies(ctx().db, sourceId);
    const byUrl = new Map(copy!.timestamps.map((t) => [t.tsaUrl, t]));
    expect(byUrl.get(trusted.url)).toMatchObject({ verified: true, digest: record.sha256 });
    expect(byUrl.get(stranger.url)).toMatchObject({ verified: false, genTime: null, reason: 'signed by a certificate not issued by a trusted authority' });
    expect(byUrl.get(stranger.url)!.token).toBeInstanceOf(Buffer);
  });

  it('reports a malformed answer from an authority, and stores no trust in it', async () => {
    const { sourceId } = await capture(`${site.origin}/page`, settings({ tsaUrls: [broken.url] }));
    const [copy] = await loadSourceCopies(ctx().db, sourceId);
    expect(copy!.timestamps).toEqual([
      expect.objectContaining({ verified: false, token: null, tsaUrl: broken.url, reason: expect.stringContaining('not a timestamp reply') }),
    ]);
  });

  it('re-checks stored tokens against the trust file as it is now', async () => {
    await capture(`${site.origin}/page`);
    const other = path.join(folder, 'other.pem');
    writeFileSync(other, stranger.caPem);
    const before = await reverifyTimestamps(ctx().db, settings());
    expect(before.checked).toBeGreaterThan(0);
    expect(before.problems.every((p) => p.tsaUrl !== trusted.url)).toBe(true);
    const after = await reverifyTimestamps(ctx().db, settings({ tsaTrustFile: other }));
    expect(after.problems.filter((p) => p.tsaUrl === trusted.url).length).toBeGreaterThan(0);
    expect(after.problems[0]!.reason).toBe('signed by a certificate not issued by a trusted authority');
  });

  it('keeps an upload recognised by its bytes, byte for byte, and timestamps it', async () => {
    const { sourceId } = await makeSource(ctx(), 'https://example.org/a');
    const pdf = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
    const captureId = await uploadSourceCopy(ctx().database, { userId: null, sourceId, bytes: pdf, settings: settings() });
    const record = (await findCaptureById(ctx().db, captureId))!;
    expect(record).toMatchObject({
      state: 'stored',
      kind: 'uploaded',
      fileType: 'pdf',
      size: pdf.length,
      sha256: createHash('sha256').update(pdf).digest('hex'),
    });
    expect(await readAll(ctx(), captureId)).toEqual(pdf);
    const [copy] = await loadSourceCopies(ctx().db, sourceId);
    expect(copy!.timestamps[0]).toMatchObject({ verified: true });
  });

  it('refuses an empty, oversized or unknown upload with a field error, storing nothing', async () => {
    const { sourceId } = await makeSource(ctx(), 'https://example.org/b');
    const upload = (bytes: Buffer) => uploadSourceCopy(ctx().database, { userId: null, sourceId, bytes, settings: settings({ captureMaxBytes: 1024 }) });
    await expect(upload(Buffer.alloc(0))).rejects.toMatchObject({ code: 'validation_failed', fields: { copy: 'evidence.captures.errors.empty' } });
    await expect(upload(Buffer.alloc(2048, 0x61))).rejects.toMatchObject({ fields: { copy: 'evidence.captures.errors.tooLarge' } });
    for (const hostile of [
      Buffer.from('MZ\x90\x00\x03'),
      Buffer.from('PK\x03\x04zip'),
      Buffer.from([0xff, 0xfe, 0x00, 0x41]),
      Buffer.from([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00]),
    ]) {
      await expect(upload(hostile)).rejects.toMatchObject({ fields: { copy: 'evidence.captures.errors.type' } });
    }
    expect(await loadSourceCopies(ctx().db, sourceId)).toEqual([]);
    expect(await listEntityHistory(ctx().db, { entity: 'source', entityId: sourceId, publicView: false })).toHaveLength(1);
  });

  it('timestamps a changed ledger head at most hourly, and an unchanged one never', async () => {
    const start = Date.parse('2027-01-01T00:00:00Z');
    let now = start;
    const clock = { now: () => now };
    const { campaignId } = await makeSource(ctx(), 'https://example.org/c');
    const mine = async () =>
      ctx().db.selectFrom('evidence_timestamps').select(['head_seq', 'verified']).where('campaign_id', '=', campaignId).orderBy('id').execute();
    await timestampChangedHeads(ctx().db, { settings: settings(), clock });
    expect(await mine()).toEqual([{ head_seq: expect.anything(), verified: 1 }]);
    now += 10 * 60 * 1000;
    await timestampChangedHeads(ctx().db, { settings: settings(), clock });
    expect(await mine()).toHaveLength(1);
    await createSource(ctx().database, { userId: null, clock: testClock, campaignId, input: sourceInput({ url: 'https://example.org/d' }) });
    now = start + 30 * 60 * 1000;
    await timestampChangedHeads(ctx().db, { settings: settings(), clock });
    expect(await mine()).toHaveLength(1);
    now = start + HEAD_TIMESTAMP_EVERY_MS;
    await timestampChangedHeads(ctx().db, { settings: settings(), clock });
    expect((await mine()).map((row) => Number(row.head_seq))).toEqual([1, 2]);
    now = start + 5 * HEAD_TIMESTAMP_EVERY_MS;
    await timestampChangedHeads(ctx().db, { settings: settings(), clock });
    expect(await mine()).toHaveLength(2);
    expect(await timestampChangedHeads(ctx().db, { settings: settings({ tsaUrls: [] }), clock: { now: () => start + 99 * HEAD_TIMESTAMP_EVERY_MS } })).toBe(0);
  });

  it('keeps the shipped article as the demo source copy of each source that quotes it', async () => {
    const campaign = await makeCampaign(ctx().db, { status: 'published' });
    const quoting = await createSource(ctx().database, {
      userId: null,
      clock: testClock,
      campaignId: campaign.id,
      input: sourceInput({ quote: 'Revelations first published earlier this year show more than 100 people have been detained' }),
    });
    const other = await createSource(ctx().database, {
      userId: null,
      clock: testClock,
      campaignId: campaign.id,
      input: sourceInput({ quote: 'Not in the article.' }),
    });
    expect(await addDemoArticleCopy({ database: ctx().database, campaignId: campaign.id })).toBe(1);
    const [copy] = await loadSourceCopies(ctx().db, quoting);
    expect(copy!.capture).toMatchObject({ kind: 'uploaded', fileType: 'warc', state: 'stored' });
    expect(copy!.timestamps).toEqual([]);
    expect(await loadSourceCopies(ctx().db, other)).toEqual([]);
    expect((await getSource(ctx().db, quoting)).version).toBe(2);
    const records = [];
    for await (const entry of new WARCParser(new Blob([new Uint8Array(await readAll(ctx(), copy!.capture.id))]).stream())) records.push(entry.warcType);
    expect(records).toEqual(['warcinfo', 'resource']);
    expect(DEMO_ARTICLE_WARC).toMatch(/eyes-on-chechnya-article\.warc$/);
  });
});

it('recognises copies by their bytes, not their names', () => {
  expect(recogniseCopyType(Buffer.from('WARC/1.1\r\nWARC-Type: warcinfo\r\n'))).toBe('warc');
  expect(recogniseCopyType(Buffer.from('%PDF-1.4'))).toBe('pdf');
  expect(recogniseCopyType(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]))).toBe('png');
  expect(recogniseCopyType(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]))).toBe('jpeg');
  expect(recogniseCopyType(Buffer.from('\uFEFF  <!DOCTYPE html><html></html>'))).toBe('html');
  expect(recogniseCopyType(Buffer.from('Более ста мужчин задержаны.\n'))).toBe('text');
  expect(recogniseCopyType(Buffer.from('text with a \u0000 NUL'))).toBeUndefined();
  expect(recogniseCopyType(Buffer.from([0xc3, 0x28]))).toBeUndefined();
  expect(recogniseCopyType(Buffer.from('<script>alert(1)</script>'))).toBe('text');
});
