/** The mails petitions send, as job handlers run by the worker. */
import type { Config } from '../../config.ts';
import type { Database } from '../../db/database.ts';
import { decryptForServer } from '../../crypto/data-key.ts';
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
