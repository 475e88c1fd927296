/**
 * Counting without hot rows. Confirmations and withdrawals append +1/-1 events; the worker folds them into
 * per-petition, per-country rows every few seconds (on PostgreSQL under an advisory lock, so two workers never fold
 * the same events); a nightly recount rebuilds the rows from the signatures themselves and repairs any drift.
 * Readers add the folded rows and the unfolded events, so counts are exact at every moment and after any restart.
 */
import { sql } from 'kysely';
import type { Dialect } from '../../config.ts';
import type { Database } from '../../db/database.ts';
import { enqueueJob } from '../../jobs/queue.ts';
import { encryptForServer } from '../../crypto/data-key.ts';
import { forgetCachedCampaigns } from '../campaigns/cache.ts';
import { readCounts } from './queries.ts';

// Any fixed number: the key of the advisory lock that serialises folding and recounting across processes.
const COUNTING_LOCK = 7_311_017;

async function withCountingLock<T>(db: Database, dialect: Dialect, work: (trx: Database) => Promise<T>, snapshot = false): Promise<T> {
  // A recount reads signatures and events from one snapshot, so an event is either in the recount or left to fold.
  const transaction = snapshot && dialect === 'postgres' ? db.transaction().setIsolationLevel('repeatable read') : db.transaction();
  return transaction.execute(async (trx) => {
    if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${COUNTING_LOCK})`.execute(trx);
    return work(trx);
  });
}

/** Folds pending count events into signature_counts. Returns how many events were folded. */
export async function foldCountEvents(db: Database, dialect: Dialect): Promise<number> {
  return withCountingLock(db, dialect, async (trx) => {
    const last = await trx.selectFrom('count_events').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
    const maxId = last?.id === null || last?.id === undefined ? undefined : Number(last.id);
    if (maxId === undefined) return 0;
    const sums = await trx
      .selectFrom('count_events')
      .select(['petition_id', 'country', (eb) => eb.fn.sum<number>('delta').as('delta'), (eb) => eb.fn.countAll<number>().as('events')])
      .where('id', '<=', maxId)
      .groupBy(['petition_id', 'country'])
      .execute();
    for (const sum of sums) {
      await trx
        .insertInto('signature_counts')
        .values({ petition_id: Number(sum.petition_id), country: sum.country, count: Number(sum.delta) })
        .onConflict((oc) => oc.columns(['petition_id', 'country']).doUpdateSet((eb) => ({ count: eb('signature_counts.count', '+', eb.ref('excluded.count')) })))
        .execute();
    }
    await trx.deleteFrom('count_events').where('id', '<=', maxId).execute();
    return sums.reduce((n, s) => n + Number(s.events), 0);
  });
}

/** Rebuilds signature_counts from the signatures: confirmed and not suspect. */
export async function recountSignatures(db: Database, dialect: Dialect): Promise<void> {
  await withCountingLock(db, dialect, async (trx) => {
    const last = await trx.selectFrom('count_events').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
    const counts = await trx
      .selectFrom('signatures')
      .select(['petition_id', 'country', (eb) => eb.fn.countAll<number>().as('n')])
      .where('status', '=', 'confirmed')
      .where('suspect', '=', 0)
      .groupBy(['petition_id', 'country'])
      .execute();
    await trx.deleteFrom('signature_counts').execute();
    if (counts.length > 0) {
      await trx.insertInto('signature_counts').values(counts.map((c) => ({ petition_id: Number(c.petition_id), country: c.country, count: Number(c.n) }))).execute();
    }
    // Events seen by this snapshot are in the recount; later ones are not, and stay to be folded.
    if (last?.id !== null && last?.id !== undefined) await trx.deleteFrom('count_events').where('id', '<=', Number(last.id)).execute();
  }, true);
}

/**
 * Records milestones newly reached and queues a mail to the campaign's organisers for each. Safe to run from any
 * number of workers: a milestone row is inserted once, and only the process that inserted it queues the mail.
 */
export async function recordReachedMilestones(db: Database, dataKey: Buffer): Promise<number> {
  const totals = new Map<number, number>();
  for (const row of await readCounts(db)) totals.set(row.petitionId, (totals.get(row.petitionId) ?? 0) + row.count);
  const petitions = await db.selectFrom('petitions').select(['id', 'campaign_id', 'milestones']).where('milestones', '!=', '').execute();
  let recorded = 0;
  for (const petition of petitions) {
    const total = totals.get(Number(petition.id)) ?? 0;
    for (const milestone of petition.milestones.split(',').map(Number).filter((m) => m > 0 && m <= total)) {
      const inserted = await db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto('milestones_reached')
          .values({ petition_id: Number(petition.id), milestone, reached_at: new Date().toISOString() })
          .onConflict((oc) => oc.columns(['petition_id', 'milestone']).doNothing())
          .returning('milestone')
          .executeTakeFirst();
        if (row) {
          await enqueueJob(trx, { kind: 'milestone-mail', payload: encryptForServer(dataKey, JSON.stringify({ petitionId: Number(petition.id), campaignId: Number(petition.campaign_id), milestone, total })) });
        }
        return row !== undefined;
      });
      if (inserted) recorded += 1;
    }
  }
  // Pages list the milestones reached: in this process, show a new one at once (elsewhere within two seconds).
  if (recorded > 0) forgetCachedCampaigns(db);
  return recorded;
}
