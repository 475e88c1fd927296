/**
 * Milestone deliveries: an organiser promises that when a petition reaches a milestone, it is delivered to a target.
 * A worker task records the ask when the milestone is reached — dated the day it was reached — once, whichever
 * worker sees it first; the promise then links to the ask it made.
 */
import type { Database } from '../../db/database.ts';
import { forgetCachedReads } from '../../db/read-cache.ts';
import { AppError, type FieldErrors } from '../../errors.ts';
import type { JobContext } from '../../jobs/job.ts';
import { readText, type FormBody } from '../../web/form.ts';
import { recordAudit } from '../audit/index.ts';
import { touchCampaign } from '../campaigns/index.ts';
import { listMilestonesReached, petitionsOfCampaign } from '../petitions/index.ts';
import { readLang } from './forms.ts';
import type { Target } from './model.ts';
import { insertAsk } from './queries.ts';

export interface MilestoneAsk {
  id: number;
  targetId: number;
  petitionId: number;
  milestone: number;
  summary: string;
  lang: string;
  askId: number | null;
  recordedAt: string | null;
}

export async function listMilestoneAsks(db: Database, targetId: number): Promise<MilestoneAsk[]> {
  const rows = await db.selectFrom('milestone_asks').selectAll().where('target_id', '=', targetId).orderBy('petition_id').orderBy('milestone').execute();
  return rows.map((row) => ({
    id: Number(row.id),
    targetId: Number(row.target_id),
    petitionId: Number(row.petition_id),
    milestone: row.milestone,
    summary: row.summary,
    lang: row.lang,
    askId: row.ask_id === null ? null : Number(row.ask_id),
    recordedAt: row.recorded_at,
  }));
}

/** Reads the promise form: one of the campaign's petitions and one of its milestones, and what to ask. */
export async function parseMilestoneAskForm(
  db: Database,
  target: Target,
  body: FormBody,
): Promise<{ input: { petitionId: number; milestone: number; summary: string; lang: string }; errors: FieldErrors }> {
  const errors: FieldErrors = {};
  const [petitionText, milestoneText] = String(typeof body['petition_milestone'] === 'string' ? body['petition_milestone'] : '').split(':');
  const petitions = await petitionsOfCampaign(db, target.campaignId);
  const petition = petitions.find((p) => String(p.id) === petitionText);
  const milestone = /^\d{1,10}$/.test(milestoneText ?? '') ? Number(milestoneText) : undefined;
  if (!petition || milestone === undefined || !petition.milestones.includes(milestone)) errors['petition_milestone'] = 'accountability.errors.choose';
  const summary = readText(body, 'promise_summary', { required: true, max: 2000, multiline: true }, errors);
  const lang = readLang(body, 'promise_lang', errors);
  return { input: { petitionId: petition?.id ?? 0, milestone: milestone ?? 0, summary, lang }, errors };
}

export async function addMilestoneAsk(
  db: Database,
  options: { userId: number; target: Target; input: { petitionId: number; milestone: number; summary: string; lang: string } },
): Promise<void> {
  const { target, input } = options;
  await db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('milestone_asks')
      .values({
        target_id: target.id,
        petition_id: input.petitionId,
        milestone: input.milestone,
        summary: input.summary,
        lang: input.lang,
        ask_id: null,
        recorded_at: null,
        created_at: new Date().toISOString(),
      })
      .onConflict((oc) => oc.columns(['target_id', 'petition_id', 'milestone']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!row) throw new AppError('conflict', 'This target already has a delivery promised for that milestone.');
    await recordAudit(trx, {
      userId: options.userId,
      action: 'milestone-ask.create',
      entityType: 'target',
      entityId: target.id,
      changes: { milestone: [null, `petition ${input.petitionId} at ${input.milestone}`] },
    });
  });
}

export async function deleteMilestoneAsk(db: Database, options: { userId: number; id: number | undefined }): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const row = options.id === undefined ? undefined : await trx.selectFrom('milestone_asks').selectAll().where('id', '=', options.id).executeTakeFirst();
    if (!row) throw new AppError('not_found', 'No such promised delivery.');
    await trx.deleteFrom('milestone_asks').where('id', '=', row.id).execute();
    await recordAudit(trx, {
      userId: options.userId,
      action: 'milestone-ask.delete',
      entityType: 'target',
      entityId: Number(row.target_id),
      changes: { milestone: [`petition ${row.petition_id} at ${row.milestone}`, null] },
    });
    return Number(row.target_id);
  });
}

/** The worker's task: for every promise whose milestone has been reached, record the ask once. */
export async function recordMilestoneAsks(ctx: Pick<JobContext, 'db'>): Promise<number> {
  const { db } = ctx;
  const waiting = await db
    .selectFrom('milestone_asks')
    .innerJoin('targets', 'targets.id', 'milestone_asks.target_id')
    .select([
      'milestone_asks.id',
      'milestone_asks.target_id',
      'milestone_asks.petition_id',
      'milestone_asks.milestone',
      'milestone_asks.summary',
      'milestone_asks.lang',
      'targets.campaign_id',
    ])
    .where('milestone_asks.recorded_at', 'is', null)
    .execute();
  let recorded = 0;
  const reachedByPetition = new Map<number, Awaited<ReturnType<typeof listMilestonesReached>>>();
  for (const promise of waiting) {
    const petitionId = Number(promise.petition_id);
    if (!reachedByPetition.has(petitionId)) reachedByPetition.set(petitionId, await listMilestonesReached(db, petitionId));
    const reached = reachedByPetition.get(petitionId)!.find((m) => m.milestone === promise.milestone);
    if (!reached) continue;
    const done = await db.transaction().execute(async (trx) => {
      const now = new Date().toISOString();
      // Claim the promise first: of several workers, only the one whose update finds it unrecorded goes on.
      const claimed = await trx
        .updateTable('milestone_asks')
        .set({ recorded_at: now })
        .where('id', '=', promise.id)
        .where('recorded_at', 'is', null)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) return false;
      const askId = await insertAsk(
        trx,
        Number(promise.target_id),
        { askedOn: reached.reachedAt.slice(0, 10), dateApproximate: false, channel: 'milestone', summary: promise.summary, lang: promise.lang },
        now,
      );
      await trx.updateTable('milestone_asks').set({ ask_id: askId }).where('id', '=', promise.id).execute();
      await recordAudit(trx, {
        userId: null,
        action: 'ask.create',
        entityType: 'target',
        entityId: Number(promise.target_id),
        changes: { ask: [null, `${reached.reachedAt.slice(0, 10)} milestone ${promise.milestone}`] },
      });
      await touchCampaign(trx, Number(promise.campaign_id));
      return true;
    });
    if (done) recorded += 1;
  }
  if (recorded > 0) forgetCachedReads(db);
  return recorded;
}
