/**
 * Intake's work on the worker's timer: telling recipients that something arrived, deleting what has reached its day,
 * and sweeping uploads that never finished.
 *
 * The notification is the same mail every time, in both languages: its words and length never depend on what
 * arrived, how much, for whom, or how many things since the last one. Recipients are marked in the transaction that
 * stores a message, and one mail per round covers all of it, so the mail's time says little about a sender's.
 */
import type { Database } from '../../db/database.ts';
import type { JobContext } from '../../jobs/job.ts';
import { coarseTimestamp } from '../../clock.ts';
import { translator } from '../../web/i18n.ts';
import { deleteExpiredSubmissions, sweepReceiving } from './store.ts';

export const NOTIFY_EVERY_MS = 5 * 60 * 1000;
export const HOUSEKEEPING_EVERY_MS = 60 * 60 * 1000;
/** An upload still receiving after this long has been dropped (or its process killed): it will never finish. */
const ABANDONED_AFTER_MS = 12 * 60 * 60 * 1000;

export function notificationMail(publicUrl: string): { subject: string; text: string } {
  const [en, ru] = [translator('en'), translator('ru')];
  const url = `${publicUrl}/admin/intake`;
  return {
    subject: `${en('intake.mail.subject')} / ${ru('intake.mail.subject')}`,
    text: `${en('intake.mail.body', { url })}\n\n---\n\n${ru('intake.mail.body', { url })}\n`,
  };
}

/** One mail to each recipient marked since the last round; a failed send stays marked and is tried next round. */
export async function sendNotifications(ctx: JobContext): Promise<number> {
  const pending = await ctx.db.selectFrom('intake_recipients').select(['id', 'notify_email']).where('notify_pending', '=', 1).execute();
  const mail = notificationMail(ctx.config.publicUrl);
  let sent = 0;
  for (const recipient of pending) {
    if (!recipient.notify_email) continue;
    await ctx.mailer.send({ to: recipient.notify_email, ...mail });
    await ctx.db.updateTable('intake_recipients').set({ notify_pending: 0 }).where('id', '=', recipient.id).execute();
    sent += 1;
  }
  return sent;
}

export async function deleteWhatIsDue(db: Database, now: Date): Promise<{ deleted: number; swept: number }> {
  const deleted = await deleteExpiredSubmissions(db, now.toISOString().slice(0, 10));
  const swept = await sweepReceiving(db, coarseTimestamp(now.getTime() - ABANDONED_AFTER_MS));
  return { deleted, swept };
}
