/**
 * Fills a running bench server's demo campaign up to 500 public facts (each with its own source, every fifth with the
 * demo's denials beside it) and 50 public incidents, for `npm run bench:page -- --evidence`. Written through the
 * evidence service, so every record has its revisions; the campaign is marked changed by each write, and the server
 * renders the page afresh once its one-second read cache expires.
 */
import path from 'node:path';
import { openDatabase } from '../src/db/database.ts';
import { findCampaignBySlug } from '../src/features/campaigns/index.ts';
import { listStatementsOfCampaign } from '../src/features/accountability/index.ts';
import {
  type IncidentInput,
  COUNT_KINDS,
  FACT_STATUSES,
  FIGURE_QUALIFIERS,
  createFact,
  createIncident,
  createSource,
  linkFactStatement,
} from '../src/features/evidence/index.ts';

export const FACTS = 500;
const INCIDENTS = 50;

function dayOf(index: number): string {
  return new Date(Date.UTC(2017, 3, 1) + (index % 2500) * 86_400_000).toISOString().slice(0, 10);
}

export async function seedEvidence(dataDir: string): Promise<void> {
  const database = openDatabase({ url: `sqlite:${path.join(dataDir, 'outcry.db')}` });
  try {
    const campaign = await findCampaignBySlug(database.db, 'eyes-on-chechnya');
    if (!campaign) throw new Error('the demo campaign is not loaded');
    const denials = (await listStatementsOfCampaign(database.db, campaign.id)).filter((s) => s.statement.stance === 'denied');
    const actor = { userId: null, campaignId: campaign.id };
    const existing = await database.db
      .selectFrom('evidence_facts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('campaign_id', '=', campaign.id)
      .executeTakeFirstOrThrow();
    const factIds: number[] = [];
    for (let i = Number(existing.n); i < FACTS; i += 1) {
      const sourceId = await createSource(database, {
        ...actor,
        input: {
          publisher: 'Example News',
          title: `Report ${i + 1}`,
          url: `https://news.example.org/reports/${i + 1}`,
          publishedOn: dayOf(i),
          publishedApproximate: i % 7 === 0,
          quote: `Report ${i + 1}: the passage a reader can check, long enough to be a realistic quotation on the page.`,
          lang: 'en',
          public: true,
        },
      });
      const factId = await createFact(database, {
        ...actor,
        sourceIds: [sourceId],
        input: {
          lang: 'en',
          claim: `Fact ${i + 1}: what the campaign documents, in a sentence of ordinary length for a claim of this kind.`,
          figure: i % 2 === 0 ? { value: 10 + i, unit: 'people', qualifier: FIGURE_QUALIFIERS[i % FIGURE_QUALIFIERS.length]! } : null,
          status: FACT_STATUSES[i % FACT_STATUSES.length]!,
          firstReportedOn: dayOf(i),
          firstReportedApproximate: i % 5 === 0,
          public: true,
        },
      });
      factIds.push(factId);
      const denial = denials[i % Math.max(denials.length, 1)];
      if (i % 5 === 0 && denial) await linkFactStatement(database, { userId: null, factId, statementId: denial.statement.id, relation: 'denies' });
    }
    for (let i = 0; i < INCIDENTS; i += 1) {
      await createIncident(database, {
        ...actor,
        factIds: factIds.slice(i * 2, i * 2 + 2),
        input: {
          startsOn: dayOf(i * 30),
          endsOn: null,
          approximate: i % 3 === 0,
          region: 'Chechnya',
          counts: Object.fromEntries(COUNT_KINDS.map((kind, k) => [kind, (i + k) % 4 === 0 ? null : i + k])) as IncidentInput['counts'],
          description: `Incident ${i + 1}.`,
          lang: 'en',
          public: true,
        },
      });
    }
  } finally {
    await database.close();
  }
}
