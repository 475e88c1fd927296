/**
 * The one way a count moves: a +1 or -1 event appended in the transaction that changes a signature (a confirmation,
 * a withdrawal, a moderator's restore or set-aside). No request ever updates a counter row; the worker folds events.
 */
import type { Database } from '../../../db/database.ts';

/** `delta` is +1 or -1 for one signature; a moderator's bulk restore of a group adds them up in one event. */
export async function appendCountEvent(trx: Database, event: { petitionId: number; country: string; delta: number; now: string }): Promise<void> {
  if (event.delta === 0) return;
  await trx.insertInto('count_events').values({ petition_id: event.petitionId, country: event.country, delta: event.delta, created_at: event.now }).execute();
}
