/**
 * Counting without hot rows. Confirmations and withdrawals append +1/-1 events; the worker folds them into
 * per-petition, per-country rows every few seconds (on PostgreSQL under an advisory lock, so two workers never fold
 * the same events); a nightly recount rebuilds the rows from the signatures themselves and repairs any drift.
 * Readers add the folded rows and the unfolded events, so counts are exact at every moment and after any restart.
 */
import { sql } from 'kysely';
import type { Database, DatabaseHandle } from '../../../db/database.ts';

// Any fixed number: the key of the lock that serialises folding and recounting across processes.
const COUNTING_LOCK = 7_311_017;

/** Folds pending count events into signature_counts. Returns how many events were folded. */
export async function foldCountEvents(database: DatabaseHandle): Promise<number> {
  return database.withLock(COUNTING_LOCK, async (trx) => {
    const last = await trx
      .selectFrom('count_events')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirst();
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
        .onConflict((oc) =>
          oc.columns(['petition_id', 'country']).doUpdateSet((eb) => ({ count: eb('signature_counts.count', '+', eb.ref('excluded.count')) })),
        )
        .execute();
    }
    await trx.deleteFrom('count_events').where('id', '<=', maxId).execute();
    return sums.reduce((n, s) => n + Number(s.events), 0);
  });
}

/** Rebuilds signature_counts from the signatures: confirmed and not suspect. */
export async function recountSignatures(database: DatabaseHandle): Promise<void> {
  // One snapshot for signatures and events, so an event is either in the recount or left to fold.
  await database.withLock(
    COUNTING_LOCK,
    async (trx) => {
      const last = await trx
        .selectFrom('count_events')
        .select((eb) => eb.fn.max('id').as('id'))
        .executeTakeFirst();
      const counts = await trx
        .selectFrom('signatures')
        .select(['petition_id', 'country', (eb) => eb.fn.countAll<number>().as('n')])
        .where('status', '=', 'confirmed')
        .where('suspect', '=', 0)
        .groupBy(['petition_id', 'country'])
        .execute();
      await trx.deleteFrom('signature_counts').execute();
      if (counts.length > 0) {
        await trx
          .insertInto('signature_counts')
          .values(counts.map((c) => ({ petition_id: Number(c.petition_id), country: c.country, count: Number(c.n) })))
          .execute();
      }
      // Events seen by this snapshot are in the recount; later ones are not, and stay to be folded.
      if (last?.id !== null && last?.id !== undefined) await trx.deleteFrom('count_events').where('id', '<=', Number(last.id)).execute();
    },
    { snapshot: true },
  );
}

/** Confirmed, counted signatures per petition and country: the folded counts plus the events not yet folded. */
export async function readCounts(db: Database): Promise<{ petitionId: number; country: string; count: number }[]> {
  const result = await sql<{ petition_id: number | string; country: string; n: number | string }>`
    select petition_id, country, sum(n) as n from (
      select petition_id, country, count as n from signature_counts
      union all
      select petition_id, country, delta as n from count_events
    ) as counted
    group by petition_id, country`.execute(db);
  return result.rows.map((r) => ({ petitionId: Number(r.petition_id), country: r.country, count: Number(r.n) }));
}
