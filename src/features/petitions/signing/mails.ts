/** The confirmation mails signing sends, as jobs the worker runs. */
import { defineJob } from '../../../jobs/job.ts';
import { enqueueJobs, type NewJob } from '../../../jobs/queue.ts';
import { isLocale, translator, type Locale } from '../../../web/i18n.ts';

/**
 * What a queued confirmation mail holds (encrypted with the server's data key). No name: the address is not confirmed
 * yet, so a name would be text anyone chose, mailed to anyone under the campaign's name.
 */
export interface ConfirmationPayload {
  to: string;
  locale: string;
  campaignSlug: string;
  petitionId: number;
  confirmToken: string;
  withdrawToken: string;
}

const SPLIT_CHUNK = 400;

/** One signer's confirmation mail. */
export const confirmationMail = defineJob<ConfirmationPayload>('confirmation-mail', async (ctx, payload) => {
  const locale: Locale = isLocale(payload.locale) ? payload.locale : 'en';
  const t = translator(locale);
  const base = ctx.config.publicUrl;
  await ctx.mailer.send({
    to: payload.to,
    subject: t('petitions.mail.confirmSubject'),
    text: t('petitions.mail.confirmBody', {
      confirmUrl: `${base}/confirm/${payload.confirmToken}`,
      withdrawUrl: `${base}/withdraw/${payload.withdrawToken}`,
      campaignUrl: `${base}/c/${payload.campaignSlug}`,
    }),
  });
});

/**
 * Several signatures' confirmation mails queued as one job, which the worker replaces by one job per mail (in one
 * transaction) before sending any, so an address that fails is retried alone and no one is mailed twice. A batch
 * another worker already split is left alone.
 */
export const confirmationMails = defineJob<ConfirmationPayload[]>('confirmation-mails', async (ctx, mails, job) => {
  await ctx.db.transaction().execute(async (trx) => {
    const deleted = await trx.deleteFrom('jobs').where('id', '=', job.id).executeTakeFirst();
    if (Number(deleted.numDeletedRows) === 0) return;
    for (let start = 0; start < mails.length; start += SPLIT_CHUNK) {
      await enqueueJobs(
        trx,
        mails.slice(start, start + SPLIT_CHUNK).map((mail) => confirmationMail.toJob(ctx.dataKey, mail)),
      );
    }
  });
});

/**
 * The jobs that send one signing batch's confirmation mails: a batch of many is one job, so the signing hot path pays
 * one encryption and one row per batch instead of one per signer.
 */
export function confirmationMailJobs(dataKey: Buffer, mails: ConfirmationPayload[]): NewJob[] {
  if (mails.length === 0) return [];
  if (mails.length === 1) return [confirmationMail.toJob(dataKey, mails[0]!)];
  return [confirmationMails.toJob(dataKey, mails)];
}
