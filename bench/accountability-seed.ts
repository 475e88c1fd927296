/**
 * Fills a running bench server's demo campaign up to 50 targets and 2,000 statements (each with a source) and about
 * 100 asks, for `npm run bench:page -- --accountability`. Written straight into its SQLite file; the campaign is
 * marked changed so the server renders the page afresh once its one-second read cache expires.
 */
import path from 'node:path';
import { openDatabase } from '../src/db/database.ts';
import { findCampaignBySlug, touchCampaign } from '../src/features/campaigns/index.ts';
import { insertAsk, insertStatement, insertTarget, listTargetsOfCampaign } from '../src/features/accountability/queries.ts';
import { STANCES } from '../src/features/accountability/model.ts';

export const TARGETS = 50;
export const STATEMENTS = 2000;

function dayOf(index: number): string {
  return new Date(Date.UTC(2017, 3, 1) + (index % 3000) * 86_400_000).toISOString().slice(0, 10);
}

export async function seedAccountability(dataDir: string): Promise<void> {
  const database = openDatabase({ url: `sqlite:${path.join(dataDir, 'outcry.db')}` });
  try {
    const { db } = database;
    const campaign = await findCampaignBySlug(db, 'eyes-on-chechnya');
    if (!campaign) throw new Error('the demo campaign is not loaded');
    const now = new Date().toISOString();
    const existing = await listTargetsOfCampaign(db, campaign.id);
    const statementsAlready = await db
      .selectFrom('statements')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    await db.transaction().execute(async (trx) => {
      const ids = existing.map((t) => t.id);
      for (let i = existing.length; i < TARGETS; i += 1) {
        ids.push(
          await insertTarget(
            trx,
            campaign.id,
            {
              kind: i % 2 ? 'person' : 'institution',
              country: 'DE',
              links: ['https://example.org/target'],
              texts: { en: { name: `Target ${i + 1}`, office: 'Minister of Examples' } },
            },
            now,
          ),
        );
      }
      for (const [i, id] of ids.entries()) {
        for (let a = 0; a < 2; a += 1) {
          await insertAsk(
            trx,
            id,
            { askedOn: dayOf(i * 7 + a * 30), dateApproximate: false, channel: 'public-call', summary: `Ask ${a + 1} of target ${i + 1}.`, lang: 'en' },
            now,
          );
        }
      }
      for (let s = Number(statementsAlready.n); s < STATEMENTS; s += 1) {
        await insertStatement(
          trx,
          ids[s % ids.length]!,
          {
            statedOn: dayOf(s),
            dateApproximate: s % 5 === 0,
            stance: STANCES[s % STANCES.length]!,
            answersAsk: s % 3 === 0,
            quote: `Statement ${s + 1}: words as a source reported them, long enough to be a realistic quote on the page.`,
            verbatim: s % 2 === 0,
            lang: 'en',
            sources: [{ publisher: 'Example News', url: `https://news.example.org/${s}`, publishedOn: dayOf(s) }],
          },
          now,
        );
      }
      await touchCampaign(trx, campaign.id);
    });
  } finally {
    await database.close();
  }
}
