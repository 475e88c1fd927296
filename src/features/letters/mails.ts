/** The mail that asks a person who signed on to confirm their address, as a job the worker runs. */
import { defineJob } from '../../jobs/job.ts';
import { isLocale, translator, type Locale } from '../../web/i18n.ts';

/** What a queued confirmation holds (encrypted with the server's data key): the address lives only here, until sent. */
export interface LetterConfirmationPayload {
  to: string;
  locale: string;
  campaignSlug: string;
  letterId: number;
  confirmToken: string;
}

export const letterConfirmationMail = defineJob<LetterConfirmationPayload>('letter-confirmation-mail', async (ctx, payload) => {
  const locale: Locale = isLocale(payload.locale) ? payload.locale : 'en';
  const t = translator(locale);
  const base = ctx.config.publicUrl;
  await ctx.mailer.send({
    to: payload.to,
    subject: t('letters.mail.subject'),
    text: t('letters.mail.body', {
      confirmUrl: `${base}/letters/confirm/${payload.confirmToken}`,
      letterUrl: `${base}/c/${payload.campaignSlug}/letters/${payload.letterId}`,
    }),
  });
});
