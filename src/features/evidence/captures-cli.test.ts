/**
 * `outcry evidence verify` as a real process re-checks the stored timestamp tokens after the chain: exit 0 while each
 * verifies against EVIDENCE_TSA_TRUST_FILE, exit 1 naming each one that no longer does (the trust file changed, a token
 * was altered).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/helpers/app.ts';
import { runCli } from '../../../test/helpers/cli.ts';
import { makeCampaign } from '../../../test/helpers/factories.ts';
import { startTimestampAuthority, type TimestampAuthority } from '../../../test/helpers/timestamp-authority.ts';
import { loadSourceCopies, uploadSourceCopy } from './captures.ts';
import { createSource } from './service.ts';
import { sourceInput, testClock } from './test-fixtures.ts';

let tsa: TimestampAuthority;
let other: TimestampAuthority;
let folder: string;

beforeAll(async () => {
  [tsa, other] = await Promise.all([startTimestampAuthority(), startTimestampAuthority()]);
  folder = mkdtempSync(path.join(tmpdir(), 'outcry-captures-cli-'));
  writeFileSync(path.join(folder, 'trust.pem'), tsa.caPem);
  writeFileSync(path.join(folder, 'other.pem'), other.caPem);
}, 60_000);

afterAll(async () => {
  await Promise.all([tsa?.close(), other?.close()]);
  rmSync(folder, { recursive: true, force: true });
});

describeEachDialect('outcry evidence verify, timestamp tokens', (ctx) => {
  it('reports tokens that no longer verify against the trust file, with exit 1', async () => {
    const trustFile = path.join(folder, 'trust.pem');
    const campaign = await makeCampaign(ctx().db, { status: 'published' });
    const sourceId = await createSource(ctx().database, { userId: null, clock: testClock, campaignId: campaign.id, input: sourceInput() });
    const settings = {
      captureMaxBytes: 1024,
      captureTimeoutMs: 1000,
      captureMaxRedirects: 0,
      captureAllowPrivate: [],
      tsaUrls: [tsa.url],
      tsaTrustFile: trustFile,
    };
    await uploadSourceCopy(ctx().database, { userId: null, sourceId, bytes: Buffer.from('A copy of the page.\n'), settings });
    const [copy] = await loadSourceCopies(ctx().db, sourceId);
    const token = copy!.timestamps[0]!;
    expect(token.verified).toBe(true);

    const env = (trust: string) => ({
      DATA_DIR: ctx().dataDir,
      DATABASE_URL: ctx().config.databaseUrl,
      LOG_LEVEL: 'warn',
      EVIDENCE_TSA_URLS: tsa.url,
      EVIDENCE_TSA_TRUST_FILE: trust,
    });
    const intact = await runCli(['evidence', 'verify'], env(trustFile));
    expect(intact.code, intact.stderr).toBe(0);
    expect(intact.stdout).toContain(`1 timestamp token: each verifies against ${trustFile}.`);

    const changedTrust = await runCli(['evidence', 'verify'], env(path.join(folder, 'other.pem')));
    expect(changedTrust.code).toBe(1);
    expect(changedTrust.stdout).toContain('chain intact');
    expect(changedTrust.stderr).toContain(
      `timestamp ${token.id} (capture ${copy!.capture.id}, ${tsa.url}): signed by a certificate not issued by a trusted authority`,
    );

    const altered = Buffer.from(token.token!);
    altered[altered.length - 5]! ^= 0xff;
    await ctx().db.updateTable('evidence_timestamps').set({ token: altered }).where('id', '=', token.id).execute();
    const tampered = await runCli(['evidence', 'verify'], env(trustFile));
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toMatch(new RegExp(`timestamp ${token.id} \\(capture ${copy!.capture.id}, [^)]+\\): `));
  });
});
