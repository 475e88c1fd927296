/**
 * `outcry evidence …` as an organiser runs it, as real processes on both databases: verify names a tampered revision;
 * export, sign (on a machine with no database and no settings) and check round trip, openssl agreeing; check refuses a
 * changed byte and the wrong key; publish refuses what no trusted key signed or what this chain does not hold, and the
 * public routes serve exactly what was published.
 */
import { spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect, type TestContext } from '../../../test/helpers/app.ts';
import { runCli } from '../../../test/helpers/cli.ts';
import { makeCampaign, makeStatement } from '../../../test/helpers/factories.ts';
import { createFact, createIncident, createSource, linkFactStatement, updateFact } from './service.ts';
import { factInput, incidentInput, sourceInput, testClock } from './test-fixtures.ts';

/** The organiser's own machine: a folder for keys and exports, and no database or settings at all. */
let desk: string;
beforeAll(() => {
  desk = mkdtempSync(path.join(tmpdir(), 'outcry-evidence-desk-'));
});
afterAll(() => rmSync(desk, { recursive: true, force: true }));

const onDesk = (name: string) => path.join(desk, name);

async function makeLedger(ctx: TestContext) {
  const campaign = await makeCampaign(ctx.db, { status: 'published' });
  const actor = { userId: null, clock: testClock };
  const sourceId = await createSource(ctx.database, { ...actor, campaignId: campaign.id, input: sourceInput() });
  const factId = await createFact(ctx.database, { ...actor, campaignId: campaign.id, input: factInput({ public: true }), sourceIds: [sourceId] });
  const { statementId } = await makeStatement(ctx.db, campaign.id);
  await linkFactStatement(ctx.database, { ...actor, factId, statementId, relation: 'denies' });
  await createIncident(ctx.database, { ...actor, campaignId: campaign.id, input: incidentInput({ region: 'A village that must stay internal' }) });
  await updateFact(ctx.database, { ...actor, factId, input: factInput({ public: true, status: 'denied' }) });
  return { slug: campaign.input.slug, campaignId: campaign.id, factId };
}

describeEachDialect('outcry evidence', (ctx) => {
  const server = () => ({ DATA_DIR: ctx().dataDir, DATABASE_URL: ctx().config.databaseUrl, LOG_LEVEL: 'warn' });
  const revision = (campaignId: number, seq: number) =>
    ctx().db.selectFrom('evidence_revisions').selectAll().where('campaign_id', '=', campaignId).where('seq', '=', seq).executeTakeFirstOrThrow();

  it('verifies every chain, and names a tampered revision with exit 1', async () => {
    const { slug, campaignId, factId } = await makeLedger(ctx());
    const intact = await runCli(['evidence', 'verify'], server());
    expect(intact.code, intact.stderr).toBe(0);
    expect(intact.stdout).toMatch(/^\d+ revisions in \d+ campaigns?: chain intact, heads?/);
    expect(intact.stdout).toContain(`${slug} #5 ${(await revision(campaignId, 5)).hash}`);

    const second = await revision(campaignId, 2);
    const table = () => ctx().db.updateTable('evidence_revisions').where('id', '=', second.id);
    await table()
      .set({ data: second.data.replace('"reported"', '"corroborated"') })
      .execute();
    try {
      const broken = await runCli(['evidence', 'verify'], server());
      expect(broken.code).toBe(1);
      expect(broken.stderr).toContain(`The ledger is broken at ${slug}: revision #2 (fact ${factId}): data changed.`);
      expect(broken.stdout).toBe('');
    } finally {
      await table().set({ data: second.data }).execute();
    }
  });

  it('exports, signs and checks with the public key alone, as openssl does; refuses a changed byte and the wrong key', async () => {
    const { slug } = await makeLedger(ctx());
    const key = onDesk(`key-${slug}`);
    const made = await runCli(['evidence', 'keys', 'new', '--out', key], {});
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/Key id: [0-9a-f]{64}/);
    expect(statSync(key).mode & 0o777).toBe(0o600);
    expect(readFileSync(key, 'utf8')).toContain('-----BEGIN PRIVATE KEY-----');
    expect(createPublicKey(readFileSync(`${key}.pub`, 'utf8')).asymmetricKeyType).toBe('ed25519');
    const again = await runCli(['evidence', 'keys', 'new', '--out', key], {});
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');

    const file = onDesk(`${slug}.json`);
    const exported = await runCli(['evidence', 'export', '--campaign', slug, '--out', file], server());
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toMatch(new RegExp(`Exported 5 revisions of ${slug}, head #5 [0-9a-f]{64} to `));
    const bytes = readFileSync(file);
    expect(bytes.includes('A village that must stay internal')).toBe(false);
    expect(bytes.includes('There are no such people in the republic.')).toBe(true);

    const signed = await runCli(['evidence', 'sign', '--key', key, file], {});
    expect(signed.code, signed.stderr).toBe(0);
    expect(readFileSync(`${file}.sig`)).toHaveLength(64);
    const checked = await runCli(['evidence', 'check', file, '--public-key', `${key}.pub`], {});
    expect(checked.code, checked.stderr).toBe(0);
    expect(checked.stdout).toMatch(new RegExp(`signature verifies \\(key id [0-9a-f]{64}\\); 5 revisions of ${slug}, chain intact, head #5 [0-9a-f]{64}`));

    const openssl = spawnSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', `${key}.pub`, '-rawin', '-in', file, '-sigfile', `${file}.sig`], {
      encoding: 'utf8',
    });
    expect(openssl.status, openssl.stderr).toBe(0);
    expect(openssl.stdout).toContain('Signature Verified Successfully');

    // One byte of a claim changed: the signature fails; signed again after the change, the chain does.
    const changed = onDesk(`${slug}-changed.json`);
    const altered = Buffer.from(bytes);
    altered[bytes.lastIndexOf('More than 100')] = 'L'.charCodeAt(0);
    writeFileSync(changed, altered);
    writeFileSync(`${changed}.sig`, readFileSync(`${file}.sig`));
    const unsigned = await runCli(['evidence', 'check', changed, '--public-key', `${key}.pub`], {});
    expect(unsigned.code).toBe(1);
    expect(unsigned.stderr).toContain('does not verify with the public key');
    expect((await runCli(['evidence', 'sign', '--key', key, changed], {})).code).toBe(0);
    const resigned = await runCli(['evidence', 'check', changed, '--public-key', `${key}.pub`], {});
    expect(resigned.code).toBe(1);
    expect(resigned.stderr).toMatch(/revision #\d: data changed\.$/m);

    const otherKey = onDesk(`other-${slug}`);
    expect((await runCli(['evidence', 'keys', 'new', '--out', otherKey], {})).code).toBe(0);
    const wrongKey = await runCli(['evidence', 'check', file, '--public-key', `${otherKey}.pub`], {});
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toContain('does not verify with the public key');
  });

  it('publishes only a signed export whose head is in this chain, and serves exactly its bytes', async () => {
    const { slug, campaignId } = await makeLedger(ctx());
    const get = (file: string) => ctx().app.inject({ method: 'GET', url: `/c/${slug}/evidence/${file}` });
    const nothing = await get('ledger.json');
    expect(nothing.statusCode).toBe(404);
    expect(nothing.body).toContain('has not published a signed evidence ledger yet');

    const key = onDesk(`publish-${slug}`);
    const stranger = onDesk(`stranger-${slug}`);
    for (const out of [key, stranger]) expect((await runCli(['evidence', 'keys', 'new', '--out', out], {})).code).toBe(0);
    const file = onDesk(`publish-${slug}.json`);
    expect((await runCli(['evidence', 'export', '--campaign', slug, '--out', file], server())).code).toBe(0);
    const publish = (...extra: string[]) => runCli(['evidence', 'publish', '--campaign', slug, file, ...extra], server());

    const noSignature = await publish();
    expect(noSignature.code).toBe(1);
    expect(noSignature.stderr).toMatch(/Cannot read \S*\.json\.sig\./);
    expect((await runCli(['evidence', 'sign', '--key', key, file], {})).code).toBe(0);
    const untrusted = await publish();
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toContain('does not verify with any trusted key');

    const trusted = await runCli(['evidence', 'trust-key', '--public', `${key}.pub`], server());
    expect(trusted.code, trusted.stderr).toBe(0);
    expect(trusted.stdout).toMatch(/^Trusted key [0-9a-f]{64}\.$/m);
    const zeros = onDesk(`zeros-${slug}.sig`);
    writeFileSync(zeros, Buffer.alloc(64));
    expect((await publish('--signature', zeros)).stderr).toContain('does not verify with any trusted key');
    const strangerSigned = onDesk(`stranger-${slug}.json`);
    writeFileSync(strangerSigned, readFileSync(file));
    expect((await runCli(['evidence', 'sign', '--key', stranger, strangerSigned], {})).code).toBe(0);
    expect((await publish('--signature', `${strangerSigned}.sig`)).stderr).toContain('does not verify with any trusted key');

    // The server's chain no longer holds the export's head (here: the head revision is gone).
    const head = await revision(campaignId, 5);
    await ctx().db.deleteFrom('evidence_revisions').where('campaign_id', '=', campaignId).where('seq', '=', 5).execute();
    try {
      const elsewhere = await publish();
      expect(elsewhere.code).toBe(1);
      expect(elsewhere.stderr).toContain('The head of the export (revision #5) is not in the chain on this server');
    } finally {
      const { id: _id, ...row } = head;
      await ctx().db.insertInto('evidence_revisions').values(row).execute();
    }
    expect(await ctx().db.selectFrom('evidence_exports').select('id').where('campaign_id', '=', campaignId).execute()).toEqual([]);

    const published = await publish();
    expect(published.code, published.stderr).toBe(0);
    expect(published.stdout).toContain(`at /c/${slug}/evidence/ledger.json`);
    const ledger = await get('ledger.json');
    expect(ledger.statusCode).toBe(200);
    expect(ledger.headers['content-type']).toBe('application/json');
    expect(ledger.headers['cache-control']).toBe('public, max-age=60');
    expect(ledger.rawPayload.equals(readFileSync(file))).toBe(true);
    const signature = await get('ledger.json.sig');
    expect(signature.headers['content-type']).toBe('application/octet-stream');
    expect(signature.rawPayload.equals(readFileSync(`${file}.sig`))).toBe(true);
    const publicKey = await get('signing-key.pem');
    expect(publicKey.body).toBe(readFileSync(`${key}.pub`, 'utf8'));

    // What the public downloads checks with what it downloaded.
    const downloaded = onDesk(`downloaded-${slug}.json`);
    writeFileSync(downloaded, ledger.rawPayload);
    writeFileSync(`${downloaded}.sig`, signature.rawPayload);
    writeFileSync(`${downloaded}.pem`, publicKey.body);
    expect((await runCli(['evidence', 'check', downloaded, '--public-key', `${downloaded}.pem`], {})).code).toBe(0);

    // A chain cut back behind what was published is found too.
    await ctx().db.deleteFrom('evidence_revisions').where('campaign_id', '=', campaignId).where('seq', '=', 5).execute();
    try {
      const cut = await runCli(['evidence', 'verify'], server());
      expect(cut.code).toBe(1);
      expect(cut.stderr).toContain(`${slug}: revision #5: published head missing`);
    } finally {
      const { id: _id, ...row } = head;
      await ctx().db.insertInto('evidence_revisions').values(row).execute();
    }
  });
});
