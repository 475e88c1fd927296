/**
 * Milestones: the worker records each one a petition's count reaches (once, whichever process sees it first) and
 * mails the campaign's organisers; pages list the milestones reached with their dates.
 */
import type { Database } from '../../../db/database.ts';
import { forgetCachedReads } from '../../../db/read-cache.ts';
import { defineJob } from '../../../jobs/job.ts';
import { enqueueJobs } from '../../../jobs/queue.ts';
import { formatNumber, translator } from '../../../web/i18n.ts';
import { findCampaignById, textFor } from '../../campaigns/index.ts';
import { readCounts } from './counters.ts';

interface MilestonePayload {
  petitionId: number;
  campaignId: number;
  milestone: number;
  total: number;
}

/** Tells the campaign's organisers (owners and editors) that a milestone was reached. */
export const milestoneMail = defineJob<MilestonePayload>('milestone-mail', async (ctx, payload) => {
  const campaign = await findCampaignById(ctx.db, payload.campaignId);
  if (!campaign) return;
  const organisers = await ctx.db.selectFrom('users').select('email').where('role', 'in', ['owner', 'editor']).where('disabled_at', 'is', null).execute();
  const locale = campaign.locales[0] ?? 'en';
  const t = translator(locale);
  const title = textFor(campaign, locale).text.title;
  for (const organiser of organisers) {
    await ctx.mailer.send({
      to: organiser.email,
      subject: t('petitions.mail.milestoneSubject', { milestone: formatNumber(locale, payload.milestone), title }),
      text: t('petitions.mail.milestoneBody', { milestone: formatNumber(locale, payload.milestone), title, url: `${ctx.config.publicUrl}/c/${campaign.slug}` }),
    });
  }
});

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
    for (const milestone of petition.milestones
      .split(',')
      .map(Number)
      .filter((m) => m > 0 && m <= total)) {
      const inserted = await db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto('milestones_reached')
          .values({ petition_id: Number(petition.id), milestone, reached_at: new Date().toISOString() })
          .onConflict((oc) => oc.columns(['petition_id', 'milestone']).doNothing())
          .returning('milestone')
          .executeTakeFirst();
        if (row) {
          await enqueueJobs(trx, [
            milestoneMail.toJob(dataKey, { petitionId: Number(petition.id), campaignId: Number(petition.campaign_id), milestone, total }),
          ]);
        }
        return row !== undefined;
      });
      if (inserted) recorded += 1;
    }
  }
  // Pages list the milestones reached: in this process, show a new one at once (elsewhere within two seconds).
  if (recorded > 0) forgetCachedReads(db);
  return recorded;
}
