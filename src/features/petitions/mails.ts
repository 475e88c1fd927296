/** The mails petitions send, as job handlers run by the worker. */
import type { Config } from '../../config.ts';
import type { Database } from '../../db/database.ts';
import { decryptForServer, encryptForServer } from '../../crypto/data-key.ts';
import { enqueueJobs, type JobRow, type NewJob } from '../../jobs/queue.ts';
import type { Mailer } from '../../jobs/mailer.ts';
import { formatNumber, isLocale, translator, type Locale } from '../../web/i18n.ts';
import { findCampaignById } from '../campaigns/queries.ts';
import { textFor } from '../campaigns/model.ts';

export interface MailJobContext {
  db: Database;
  config: Config;
  mailer: Mailer;
  dataKey: Buffer;
}

/** What a queued confirmation mail holds (encrypted with the server's data key). */
export interface ConfirmationPayload {
  to: string;
  name: string;
  locale: string;
  campaignSlug: string;
  petitionId: number;
  confirmToken: string;
  withdrawToken: string;
}

export const CONFIRMATION_MAIL = 'confirmation-mail';
/** Several signatures' confirmation mails queued as one job, which the worker splits before sending any. */
export const CONFIRMATION_MAILS = 'confirmation-mails';
const SPLIT_CHUNK = 400;

/**
 * The jobs that send one signing batch's confirmation mails. A batch of many is one job: one encryption and one row
 * on the signing hot path instead of one per signer. The worker splits it into one job per mail before sending, so
 * an address that fails is retried alone and no one is mailed twice.
 */
export function confirmationMailJobs(dataKey: Buffer, mails: ConfirmationPayload[]): NewJob[] {
  if (mails.length === 0) return [];
  if (mails.length === 1) return [confirmationMailJob(dataKey, mails[0]!)];
  return [{ kind: CONFIRMATION_MAILS, payload: encryptForServer(dataKey, JSON.stringify(mails)) }];
}

function confirmationMailJob(dataKey: Buffer, mail: ConfirmationPayload): NewJob {
  return { kind: CONFIRMATION_MAIL, payload: encryptForServer(dataKey, JSON.stringify(mail)) };
}

/** Replaces a batch job by one job per mail, in one transaction; a batch another worker already split is left alone. */
export async function splitConfirmationMails(ctx: MailJobContext, sealedPayload: string, job: JobRow): Promise<void> {
  const mails = JSON.parse(decryptForServer(ctx.dataKey, sealedPayload)) as ConfirmationPayload[];
  await ctx.db.transaction().execute(async (trx) => {
    const deleted = await trx.deleteFrom('jobs').where('id', '=', job.id).executeTakeFirst();
    if (Number(deleted.numDeletedRows) === 0) return;
    for (let start = 0; start < mails.length; start += SPLIT_CHUNK) {
      await enqueueJobs(trx, mails.slice(start, start + SPLIT_CHUNK).map((mail) => confirmationMailJob(ctx.dataKey, mail)));
    }
  });
}

export async function sendConfirmationMail(ctx: MailJobContext, sealedPayload: string): Promise<void> {
  const payload = JSON.parse(decryptForServer(ctx.dataKey, sealedPayload)) as ConfirmationPayload;
  const locale: Locale = isLocale(payload.locale) ? payload.locale : 'en';
  const t = translator(locale);
  const base = ctx.config.publicUrl;
  await ctx.mailer.send({
    to: payload.to,
    subject: t('petitions.mail.confirmSubject'),
    text: t('petitions.mail.confirmBody', {
      name: payload.name,
      confirmUrl: `${base}/confirm/${payload.confirmToken}`,
      withdrawUrl: `${base}/withdraw/${payload.withdrawToken}`,
      campaignUrl: `${base}/c/${payload.campaignSlug}`,
    }),
  });
}

interface MilestonePayload {
  petitionId: number;
  campaignId: number;
  milestone: number;
  total: number;
}

/** Tells the campaign's organisers (owners and editors) that a milestone was reached. */
export async function sendMilestoneMail(ctx: MailJobContext, sealedPayload: string): Promise<void> {
  const payload = JSON.parse(decryptForServer(ctx.dataKey, sealedPayload)) as MilestonePayload;
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
}
