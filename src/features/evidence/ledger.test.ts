/**
 * The ledger on both databases: each change to a fact, source or incident (links included) appends one revision to
 * its campaign's hash chain, in the same transaction as the change and its audit entry; concurrent changes never
 * fork it; tampering with a stored revision is found at that revision; the public view and the export show only what
 * is public. The encoding is RFC 8785, checked against the canonicalize package and by hand.
 */
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeEachDialect, type TestContext } from '../../../test/helpers/app.ts';
import { makeCampaign, makeStatement, makeUser } from '../../../test/helpers/factories.ts';
import { listAuditEntries } from '../audit/index.ts';
import { buildLedgerExport, checkLedgerExport, type LedgerExport } from './export.ts';
import {
  canonicalJson,
  dataHashInput,
  dataHashOf,
  GENESIS_HASH,
  headerOf,
  listChains,
  revisionHashInput,
  revisionHashOf,
  sha256Hex,
  splitChains,
  verifyLedger,
  type RevisionHeader,
} from './ledger.ts';
import { factState } from './model.ts';
import {
  createFact,
  createIncident,
  createSource,
  getFact,
  linkFactSource,
  linkFactStatement,
  linkIncidentFact,
  linkIncidentSource,
  listEntityHistory,
  loadOrganiserEvidence,
  loadPublicEvidence,
  unlinkFactSource,
  unlinkFactStatement,
  updateFact,
  updateIncident,
  updateSource,
} from './service.ts';
import { factInput, incidentInput, sourceInput, testClock } from './test-fixtures.ts';

async function revisionsOf(ctx: TestContext, campaignId: number) {
  return ctx.db.selectFrom('evidence_revisions').selectAll().where('campaign_id', '=', campaignId).orderBy('seq').execute();
}

async function countRows(ctx: TestContext): Promise<number[]> {
  const tables = ['evidence_facts', 'evidence_sources', 'evidence_incidents', 'evidence_fact_sources', 'evidence_revisions', 'audit_log'] as const;
  return Promise.all(
    tables.map(async (table) =>
      Number(
        (
          await ctx.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    ),
  );
}

/** A published campaign with a public source and a public fact reported by it. */
async function setUp(ctx: TestContext) {
  const campaign = await makeCampaign(ctx.db, { status: 'published' });
  const user = await makeUser(ctx.db, 'editor');
  const actor = { userId: user.id, clock: testClock };
  const sourceId = await createSource(ctx.database, { ...actor, campaignId: campaign.id, input: sourceInput() });
  const factId = await createFact(ctx.database, { ...actor, campaignId: campaign.id, input: factInput({ public: true }), sourceIds: [sourceId] });
  return { campaign, user, actor, sourceId, factId };
}

describe('the canonical encoding', () => {
  it('is RFC 8785 as the canonicalize package writes it, for the headers and the data hash input alike', () => {
    const header = fc.record({
      campaign: fc.integer({ min: 1, max: 1e9 }),
      seq: fc.integer({ min: 1, max: 1e9 }),
      entity: fc.constantFrom('fact' as const, 'source' as const, 'incident' as const),
      entityId: fc.integer({ min: 1, max: 1e9 }),
      version: fc.integer({ min: 1, max: 1e6 }),
      public: fc.boolean(),
      dataHash: fc.stringMatching(/^[0-9a-f]{64}$/),
      author: fc.option(fc.integer({ min: 1, max: 1e9 })),
      at: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      prev: fc.stringMatching(/^[0-9a-f]{64}$/),
    });
    fc.assert(
      fc.property(header, (h: RevisionHeader) => {
        expect(revisionHashInput(h)).toBe(canonicalize(h));
      }),
    );
    fc.assert(
      fc.property(fc.jsonValue(), fc.stringMatching(/^[0-9a-f]{32}$/), (data, nonce) => {
        expect(dataHashInput(nonce, canonicalJson(data))).toBe(canonicalize({ nonce, data }));
      }),
    );
    // RFC 8785's own example of key order (by UTF-16 code units) and number forms.
    expect(
      canonicalJson({
        '\u20ac': 'Euro Sign',
        '\r': 'Carriage Return',
        '\ufb33': 'Hebrew Letter Dalet With Dagesh',
        '1': 'One',
        '\ud83d\ude00': 'Emoji: Grinning Face',
        '\u0080': 'Control',
        '\u00f6': 'Latin Small Letter O With Diaeresis',
      }),
    ).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });
});

describeEachDialect('the evidence ledger', (ctx) => {
  it('appends one linked revision per change: create, update, link and unlink, each audited', async () => {
    const { campaign, actor, sourceId, factId } = await setUp(ctx());
    const secondSource = await createSource(ctx().database, { ...actor, campaignId: campaign.id, input: sourceInput({ publisher: 'Meduza', public: false }) });
    expect(await updateFact(ctx().database, { ...actor, factId, input: factInput({ public: true, status: 'denied' }) })).toBe(true);
    expect(await updateFact(ctx().database, { ...actor, factId, input: factInput({ public: true, status: 'denied' }) })).toBe(false);
    expect(await linkFactSource(ctx().database, { ...actor, factId, sourceId: secondSource })).toBe(true);
    expect(await linkFactSource(ctx().database, { ...actor, factId, sourceId: secondSource })).toBe(false);
    const { statementId } = await makeStatement(ctx().db, campaign.id);
    expect(await linkFactStatement(ctx().database, { ...actor, factId, statementId, relation: 'denies' })).toBe(true);
    expect(await unlinkFactSource(ctx().database, { ...actor, factId, sourceId: secondSource })).toBe(true);
    const incidentId = await createIncident(ctx().database, { ...actor, campaignId: campaign.id, input: incidentInput(), factIds: [factId] });
    expect(await linkIncidentSource(ctx().database, { ...actor, incidentId, sourceId })).toBe(true);

    const revisions = await revisionsOf(ctx(), campaign.id);
    expect(revisions.map((r) => [r.entity, Number(r.entity_id), r.version])).toEqual([
      ['source', sourceId, 1],
      ['fact', factId, 1],
      ['source', secondSource, 1],
      ['fact', factId, 2],
      ['fact', factId, 3],
      ['fact', factId, 4],
      ['fact', factId, 5],
      ['incident', incidentId, 1],
      ['incident', incidentId, 2],
    ]);
    revisions.forEach((r, i) => {
      expect(Number(r.seq)).toBe(i + 1);
      expect(r.prev_hash).toBe(i === 0 ? GENESIS_HASH : revisions[i - 1]!.hash);
      expect(r.nonce).toMatch(/^[0-9a-f]{32}$/);
      expect(Number(r.author_id)).toBe(actor.userId);
    });
    // The latest revision holds the fact's whole state, links included; the row knows its version.
    const fact = await getFact(ctx().db, factId);
    expect(fact.version).toBe(5);
    expect(fact.statements).toEqual([expect.objectContaining({ statementId, relation: 'denies', stance: 'denied' })]);
    expect(revisions[6]!.data).toBe(canonicalJson(factState(fact)));
    expect(JSON.parse(revisions[4]!.data)).toMatchObject({ sourceIds: [sourceId, secondSource].sort((a, b) => a - b) });
    expect(JSON.parse(revisions[8]!.data)).toMatchObject({ factIds: [factId], sourceIds: [sourceId], region: 'Chechnya' });

    const report = await verifyLedger(ctx().database);
    expect(report.broken).toBeNull();
    expect(report.heads).toContainEqual({ campaignId: campaign.id, campaign: campaign.input.slug, seq: 9, hash: revisions[8]!.hash });

    const audit = (await listAuditEntries(ctx().db, { limit: 50 })).filter((e) => e.entityType.startsWith('evidence_'));
    expect(audit.map((e) => e.action)).toEqual(
      expect.arrayContaining([
        'evidence.source.create',
        'evidence.fact.create',
        'evidence.fact.update',
        'evidence.fact.link-source',
        'evidence.fact.link-statement',
        'evidence.fact.unlink-source',
        'evidence.incident.create',
        'evidence.incident.link-source',
      ]),
    );
    expect(audit.find((e) => e.action === 'evidence.fact.update')?.changes).toMatchObject({ status: ['reported', 'denied'] });
  });

  it('never forks a chain under concurrent changes: the sequence stays whole and every link holds', async () => {
    const { campaign, actor, factId } = await setUp(ctx());
    const other = await makeCampaign(ctx().db, { status: 'published' });
    const changes = Array.from({ length: 24 }, (_, i) => {
      if (i % 4 === 0) return createSource(ctx().database, { ...actor, campaignId: other.id, input: sourceInput({ title: `Other ${i}` }) });
      if (i % 4 === 1) return updateFact(ctx().database, { ...actor, factId, input: factInput({ public: true, claim: `Claim, version ${i}` }) });
      return createSource(ctx().database, { ...actor, campaignId: campaign.id, input: sourceInput({ title: `Report ${i}` }) });
    });
    await Promise.all(changes);
    for (const id of [campaign.id, other.id]) {
      const revisions = await revisionsOf(ctx(), id);
      expect(revisions.map((r) => Number(r.seq))).toEqual(revisions.map((_, i) => i + 1));
      for (const [i, r] of revisions.entries()) expect(r.prev_hash).toBe(i === 0 ? GENESIS_HASH : revisions[i - 1]!.hash);
    }
    expect((await revisionsOf(ctx(), campaign.id)).length).toBe(2 + 6 + 12);
    expect((await verifyLedger(ctx().database)).broken).toBeNull();
  });

  it('finds a tampered revision: changed data, a changed hash, a removed revision, a recomputed one', async () => {
    const { campaign, actor, factId } = await setUp(ctx());
    await updateFact(ctx().database, { ...actor, factId, input: factInput({ public: true, status: 'corroborated' }) });
    await updateFact(ctx().database, { ...actor, factId, input: factInput({ public: true, status: 'denied' }) });
    const [, second, third] = await revisionsOf(ctx(), campaign.id);
    const at = (seq: number) => ctx().db.updateTable('evidence_revisions').where('campaign_id', '=', campaign.id).where('seq', '=', seq);
    const brokenAt = async () => {
      const { broken } = await verifyLedger(ctx().database);
      return broken && { campaign: broken.campaign, seq: broken.seq, entity: broken.entity, problem: broken.problem };
    };
    const fact = { campaign: campaign.input.slug, entity: 'fact' };

    await at(2)
      .set({ data: second!.data.replace('More than 100', 'About 10') })
      .execute();
    expect(await brokenAt()).toEqual({ ...fact, seq: 2, problem: 'data changed' });
    await expect(buildLedgerExport(ctx().db, { campaignId: campaign.id, slug: campaign.input.slug, now: new Date() })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining(`${campaign.input.slug}: revision #2 (fact ${factId}): data changed`),
    });
    await at(2).set({ data: second!.data }).execute();

    await at(3)
      .set({ hash: 'f'.repeat(64) })
      .execute();
    expect(await brokenAt()).toEqual({ ...fact, seq: 3, problem: 'hash does not match' });
    await at(3).set({ hash: third!.hash }).execute();

    // A forger who recomputes the revision's own hashes still breaks the next link.
    const forgedData = second!.data.replace('More than 100', 'About 10');
    const forgedDataHash = sha256Hex(dataHashInput(second!.nonce, forgedData));
    const forgedHash = sha256Hex(
      revisionHashInput({
        campaign: campaign.id,
        seq: 2,
        entity: 'fact',
        entityId: factId,
        version: 1,
        public: true,
        dataHash: forgedDataHash,
        author: actor.userId,
        at: second!.created_at,
        prev: second!.prev_hash,
      }),
    );
    await at(2).set({ data: forgedData, data_hash: forgedDataHash, hash: forgedHash }).execute();
    expect(await brokenAt()).toEqual({ ...fact, seq: 3, problem: 'previous hash does not match' });
    await at(2).set({ data: second!.data, data_hash: second!.data_hash, hash: second!.hash }).execute();

    await ctx().db.deleteFrom('evidence_revisions').where('campaign_id', '=', campaign.id).where('seq', '=', 2).execute();
    expect(await brokenAt()).toEqual({ ...fact, seq: 3, problem: 'sequence gap' });
    const { id: _id, ...restored } = second!;
    await ctx().db.insertInto('evidence_revisions').values(restored).execute();
    expect(await brokenAt()).toBeNull();
  });

  it('keeps a public fact with a public source, and refuses what would leave one without', async () => {
    const { campaign, actor, sourceId, factId } = await setUp(ctx());
    const before = await countRows(ctx());
    const refusals = [
      () => createFact(ctx().database, { ...actor, campaignId: campaign.id, input: factInput({ public: true }) }),
      () => updateSource(ctx().database, { ...actor, sourceId, input: sourceInput({ public: false }) }),
      () => unlinkFactSource(ctx().database, { ...actor, factId, sourceId }),
    ];
    for (const refusal of refusals) await expect(refusal()).rejects.toMatchObject({ code: 'validation_failed' });
    expect(await countRows(ctx())).toEqual(before);

    // With another public source, the first may go internal; the fact stays public.
    const second = await createSource(ctx().database, { ...actor, campaignId: campaign.id, input: sourceInput({ publisher: 'Meduza' }) });
    await linkFactSource(ctx().database, { ...actor, factId, sourceId: second });
    expect(await updateSource(ctx().database, { ...actor, sourceId, input: sourceInput({ public: false }) })).toBe(true);
    expect((await getFact(ctx().db, factId)).public).toBe(true);
  });

  it('refuses links to another campaign’s records, future dates and an end before the start, storing nothing', async () => {
    const { campaign, actor, factId } = await setUp(ctx());
    const other = await makeCampaign(ctx().db, { status: 'published' });
    const foreignSource = await createSource(ctx().database, { ...actor, campaignId: other.id, input: sourceInput() });
    const foreignStatement = await makeStatement(ctx().db, other.id);
    const before = await countRows(ctx());
    const refused = async (promise: Promise<unknown>, field: string) => {
      await expect(promise).rejects.toMatchObject({ code: 'validation_failed', fields: { [field]: expect.any(String) } });
    };
    await refused(linkFactSource(ctx().database, { ...actor, factId, sourceId: foreignSource }), 'source');
    await refused(linkFactStatement(ctx().database, { ...actor, factId, statementId: foreignStatement.statementId, relation: 'denies' }), 'statement');
    await refused(createFact(ctx().database, { ...actor, campaignId: campaign.id, input: factInput(), sourceIds: [foreignSource] }), 'sources');
    // The clock says 2026-12-01 noon UTC: somewhere it is already the 2nd, nowhere the 3rd.
    await refused(createFact(ctx().database, { ...actor, campaignId: campaign.id, input: factInput({ firstReportedOn: '2026-12-03' }) }), 'first_reported_on');
    await refused(createSource(ctx().database, { ...actor, campaignId: campaign.id, input: sourceInput({ publishedOn: '2027-01-01' }) }), 'published_on');
    await refused(createIncident(ctx().database, { ...actor, campaignId: campaign.id, input: incidentInput({ endsOn: '2017-01-01' }) }), 'ends_on');
    await refused(
      createIncident(ctx().database, { ...actor, campaignId: campaign.id, input: incidentInput({ startsOn: '2026-12-05', endsOn: null }) }),
      'starts_on',
    );
    await refused(createSource(ctx().database, { ...actor, campaignId: campaign.id, input: sourceInput({ url: 'javascript:alert(1)' }) }), 'url');
    const counts = { detained: -1, tortured: 1.5, killed: null, disappeared: null, released: null };
    await refused(createIncident(ctx().database, { ...actor, campaignId: campaign.id, input: incidentInput({ counts }) }), 'detained');
    expect(await countRows(ctx())).toEqual(before);
    expect(await createFact(ctx().database, { ...actor, campaignId: campaign.id, input: factInput({ firstReportedOn: '2026-12-02' }) })).toBeGreaterThan(0);
  });

  it('shows the public only what is public: facts with public sources, denials beside them, history, counts', async () => {
    const { campaign, actor, sourceId, factId } = await setUp(ctx());
    const internalSource = await createSource(ctx().database, {
      ...actor,
      campaignId: campaign.id,
      input: sourceInput({ publisher: 'A witness', public: false }),
    });
    await linkFactSource(ctx().database, { ...actor, factId, sourceId: internalSource });
    const internalFact = await createFact(ctx().database, { ...actor, campaignId: campaign.id, input: factInput({ claim: 'Not yet checked.' }) });
    const { statementId } = await makeStatement(ctx().db, campaign.id);
    await linkFactStatement(ctx().database, { ...actor, factId, statementId, relation: 'denies' });
    const shown = await createIncident(ctx().database, {
      ...actor,
      campaignId: campaign.id,
      input: incidentInput({ public: true }),
      factIds: [factId, internalFact],
    });
    await createIncident(ctx().database, {
      ...actor,
      campaignId: campaign.id,
      input: incidentInput({ public: true, counts: { detained: 20, tortured: null, killed: 0, disappeared: 2, released: null } }),
    });
    await createIncident(ctx().database, { ...actor, campaignId: campaign.id, input: incidentInput({ region: 'Internal only' }) });

    const view = await loadPublicEvidence(ctx().db, campaign.id);
    expect(view.facts.map((f) => f.fact.id)).toEqual([factId]);
    expect(view.facts[0]!.sources.map((s) => s.id)).toEqual([sourceId]);
    expect(view.facts[0]!.statements).toEqual([expect.objectContaining({ relation: 'denies', quote: 'There are no such people in the republic.' })]);
    expect(view.facts[0]!.history.map((h) => h.version)).toEqual([1, 2, 3]);
    expect(view.facts[0]!.history.every((h) => h.data !== null)).toBe(true);
    expect(view.incidents.map((i) => i.incident.region)).toEqual(['Chechnya', 'Chechnya']);
    expect(view.incidents.find((i) => i.incident.id === shown)!.factIds).toEqual([factId]);
    expect(view.totals.detained).toEqual({ total: 120, known: 2, unknown: 0 });
    expect(view.totals.tortured).toEqual({ total: 100, known: 1, unknown: 1 });
    expect(view.totals.released).toEqual({ total: 0, known: 0, unknown: 2 });

    const organisers = await loadOrganiserEvidence(ctx().db, campaign.id);
    expect(organisers.facts.map((f) => f.id).sort()).toEqual([factId, internalFact].sort());
    expect(organisers.incidents).toHaveLength(3);
    expect(organisers.statements.map((s) => s.statement.id)).toEqual([statementId]);

    await unlinkFactStatement(ctx().database, { ...actor, factId, statementId });
    expect((await getFact(ctx().db, factId)).statements).toEqual([]);
  });

  it('exports the chain with the data of what is public now, and checks it from its bytes alone', async () => {
    const { campaign, actor, factId } = await setUp(ctx());
    const incidentId = await createIncident(ctx().database, { ...actor, campaignId: campaign.id, input: incidentInput({ public: true }) });
    await linkIncidentFact(ctx().database, { ...actor, incidentId, factId });
    // Made internal again: its earlier public versions leave the export too; their hashes stay.
    await updateIncident(ctx().database, { ...actor, incidentId, input: incidentInput({ public: false }) });
    await createFact(ctx().database, { ...actor, campaignId: campaign.id, input: factInput({ claim: 'An internal note.' }) });

    const empty = await makeCampaign(ctx().db);
    await expect(buildLedgerExport(ctx().db, { campaignId: empty.id, slug: empty.input.slug, now: new Date() })).rejects.toMatchObject({ code: 'not_found' });
    const exported = await buildLedgerExport(ctx().db, { campaignId: campaign.id, slug: campaign.input.slug, now: new Date(testClock.now()) });
    const document = JSON.parse(exported.bytes.toString('utf8')) as LedgerExport;
    expect(exported.bytes.toString('utf8')).toBe(canonicalJson(document));
    expect(document.revisions.map((r) => [r.entity, r.version, r.data !== undefined])).toEqual([
      ['source', 1, true],
      ['fact', 1, true],
      ['incident', 1, false],
      ['incident', 2, false],
      ['incident', 3, false],
      ['fact', 1, false],
    ]);
    expect(document.current.facts.map((f) => f.id)).toEqual([factId]);
    expect(document.current.incidents).toEqual([]);
    expect(exported.bytes.includes('An internal note.')).toBe(false);
    expect(checkLedgerExport(exported.bytes)).toMatchObject({ ok: true, revisions: 6, head: document.head });

    const history = await listEntityHistory(ctx().db, { entity: 'incident', entityId: incidentId, publicView: true });
    expect(history.map((h) => h.data)).toEqual([null, null, null]);
    expect((await listEntityHistory(ctx().db, { entity: 'incident', entityId: incidentId, publicView: false })).every((h) => h.data !== null)).toBe(true);

    const claim = exported.bytes.lastIndexOf('More than 100');
    const changed = Buffer.from(exported.bytes);
    changed[claim] = 'L'.charCodeAt(0);
    expect(checkLedgerExport(changed)).toEqual({ ok: false, problem: 'revision #2: data changed' });
    const reordered = JSON.parse(exported.bytes.toString('utf8')) as LedgerExport;
    reordered.revisions.splice(2, 1);
    expect(checkLedgerExport(Buffer.from(canonicalJson(reordered)))).toEqual({ ok: false, problem: 'revision #4: sequence gap' });
  });
});

describe('cutting the chains for two threads', () => {
  it('puts every seq of every chain in exactly one piece, in order, in parts of about equal size', () => {
    const chains = fc.array(fc.record({ revisions: fc.integer({ min: 1, max: 50 }), gaps: fc.integer({ min: 0, max: 5 }) }), { minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(chains, fc.integer({ min: 1, max: 4 }), (drawn, parts) => {
        const list = drawn.map((c, i) => ({ campaignId: i + 1, revisions: c.revisions, lastSeq: c.revisions + c.gaps }));
        const runs = splitChains(list, parts);
        expect(runs.length).toBeLessThanOrEqual(parts);
        const covered = runs.flat().flatMap((piece) => {
          const last = piece.upTo ?? list[piece.campaignId - 1]!.lastSeq;
          return Array.from({ length: last - piece.after }, (_, i) => `${piece.campaignId}:${piece.after + i + 1}`);
        });
        expect(covered).toEqual(list.flatMap((c) => Array.from({ length: c.lastSeq }, (_, i) => `${c.campaignId}:${i + 1}`)));
      }),
    );
    expect(splitChains([{ campaignId: 7, revisions: 10, lastSeq: 10 }], 2)).toEqual([
      [{ campaignId: 7, after: 0, upTo: 5 }],
      [{ campaignId: 7, after: 5, upTo: null }],
    ]);
  });
});

describeEachDialect('verifying on several threads', (ctx) => {
  it('finds the same first break as one thread, on either side of the cut and across it', async () => {
    const campaigns = [await makeCampaign(ctx().db), await makeCampaign(ctx().db)];
    const user = await makeUser(ctx().db, 'editor');
    for (const [i, count] of [5, 7].entries()) {
      for (let n = 0; n < count; n += 1) {
        await createSource(ctx().database, { userId: user.id, clock: testClock, campaignId: campaigns[i]!.id, input: sourceInput({ title: `Report ${n}` }) });
      }
    }
    // The second thread starts mid-chain: its first row's link is checked when the halves are joined.
    const [, second] = splitChains(await listChains(ctx().db), 2);
    const cut = second![0]!;
    expect(cut.after).toBeGreaterThan(0);
    const row = async (seq: number) =>
      ctx().db.selectFrom('evidence_revisions').selectAll().where('campaign_id', '=', cut.campaignId).where('seq', '=', seq).executeTakeFirstOrThrow();
    const set = (seq: number, values: { data?: string; data_hash?: string; hash?: string }) =>
      ctx().db.updateTable('evidence_revisions').set(values).where('campaign_id', '=', cut.campaignId).where('seq', '=', seq).execute();
    // Three threads: three shares, cut elsewhere, taken by whichever thread is free.
    const brokenOnBoth = async () => {
      const one = await verifyLedger(ctx().database, { threads: 1 });
      expect(await verifyLedger(ctx().database, { threads: 2 })).toEqual({ ...one, threads: 2 });
      expect(await verifyLedger(ctx().database, { threads: 3 })).toEqual({ ...one, threads: 3 });
      return one.broken && { seq: one.broken.seq, problem: one.broken.problem };
    };

    const intact = await verifyLedger(ctx().database, { threads: 2 });
    expect(intact).toEqual({ ...(await verifyLedger(ctx().database, { threads: 1 })), threads: 2 });
    expect(intact).toMatchObject({ revisions: 12, campaigns: 2, broken: null });

    const [last, first, next] = [await row(cut.after), await row(cut.after + 1), await row(cut.after + 2)];
    await set(first.seq, { data: first.data.replace('Report', 'Rumour') });
    expect(await brokenOnBoth()).toEqual({ seq: first.seq, problem: 'data changed' });
    await set(first.seq, { data: first.data });

    await set(last.seq, { hash: 'f'.repeat(64) });
    expect(await brokenOnBoth()).toEqual({ seq: last.seq, problem: 'hash does not match' });
    await set(last.seq, { hash: last.hash });

    // The last row before the cut, forged with its own hashes recomputed: the link across the cut gives it away.
    const forgedData = last.data.replace('Report', 'Rumour');
    const forgedDataHash = dataHashOf(last.nonce, forgedData);
    await set(last.seq, { data: forgedData, data_hash: forgedDataHash, hash: revisionHashOf({ ...headerOf(last), dataHash: forgedDataHash }) });
    expect(await brokenOnBoth()).toEqual({ seq: first.seq, problem: 'previous hash does not match' });
    await set(last.seq, { data: last.data, data_hash: last.data_hash, hash: last.hash });

    await ctx().db.deleteFrom('evidence_revisions').where('campaign_id', '=', cut.campaignId).where('seq', '=', first.seq).execute();
    expect(await brokenOnBoth()).toEqual({ seq: next.seq, problem: 'sequence gap' });
    const { id: _id, ...restored } = first;
    await ctx().db.insertInto('evidence_revisions').values(restored).execute();
    expect(await brokenOnBoth()).toBeNull();
  });

  it('checks on this thread alone when a thread cannot run', async () => {
    const campaign = await makeCampaign(ctx().db);
    const user = await makeUser(ctx().db, 'editor');
    for (let n = 0; n < 3; n += 1) {
      await createSource(ctx().database, { userId: user.id, clock: testClock, campaignId: campaign.id, input: sourceInput({ title: `Report ${n}` }) });
    }
    const failing = { ...ctx().database, runOnThread: () => Promise.reject(new Error('no thread today')) };
    const report = await verifyLedger(failing, { threads: 2 });
    expect(report).toEqual({ ...(await verifyLedger(ctx().database, { threads: 1 })), threads: 1 });
  });
});
