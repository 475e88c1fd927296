/**
 * Intake's tables: submissions, their messages, and each message's ciphertext in chunks written as it streams in.
 * Nothing here ever sees plaintext. A message is written in three steps — begun (receiving), chunks, stored — and
 * only the last, one transaction, makes it visible: a dropped upload or a killed process leaves a receiving message
 * that no one is shown, and that sweepReceiving() deletes.
 */
import type { Database, DatabaseHandle } from '../../db/database.ts';
import type { IntakeKind } from '../../db/schema.ts';
import { coarseTimestamp } from '../../clock.ts';
import type { IntakeSettings } from '../../config.ts';

/** Ciphertext is written to the database in pieces of this size: the most any upload holds in memory. */
export const CHUNK_BYTES = 1024 * 1024;

export interface SubmissionSummary {
  id: number;
  kind: IntakeKind;
  campaignId: number | null;
  partnerId: number | null;
  receivedOn: string;
  lastFollowUpOn: string | null;
  deleteOn: string;
  messages: number;
}

export interface MessageSummary {
  id: number;
  author: 'sender' | 'reviewer';
  encryptedBy: 'browser' | 'server';
  receivedOn: string;
  size: number;
}

/**
 * Which submissions an inbox reader may see: all of them (reviewers), or only the requests for help sent to one
 * partner organisation (its own accounts; `partnerId` null for an account linked to none, which sees nothing).
 */
export type InboxScope = { readonly all: true } | { readonly all: false; readonly partnerId: number | null };

/** The partner a scope is limited to: undefined for the whole inbox, null for nothing at all. */
function partnerOf(scope: InboxScope): number | null | undefined {
  return scope.all ? undefined : scope.partnerId;
}

/** Adds whole days to a calendar day (YYYY-MM-DD), in UTC, where days are days. */
export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

export function deleteOnFor(settings: IntakeSettings, receivedOn: string, lastFollowUpOn: string | null): string {
  const byAge = addDays(receivedOn, settings.retentionDays);
  const byFollowUp = lastFollowUpOn ? addDays(lastFollowUpOn, settings.graceDays) : byAge;
  return [byAge, byFollowUp].sort()[1]!; // ISO days sort as dates
}

export async function submissionsReceivedOn(db: Database, day: string): Promise<number> {
  const row = await db
    .selectFrom('intake_submissions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('received_on', '=', day)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** A new submission with its first message, both receiving. */
export async function beginSubmission(
  db: Database,
  input: {
    kind: IntakeKind;
    campaignId: number | null;
    partnerId: number | null;
    today: string;
    deleteOn: string;
    encryptedBy: 'browser' | 'server';
    now: Date;
  },
): Promise<{ submissionId: number; messageId: number }> {
  return db.transaction().execute(async (trx) => {
    const submission = await trx
      .insertInto('intake_submissions')
      .values({
        kind: input.kind,
        campaign_id: input.campaignId,
        partner_id: input.partnerId,
        state: 'receiving',
        received_on: input.today,
        delete_on: input.deleteOn,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const submissionId = Number(submission.id);
    const messageId = await insertMessage(trx, { submissionId, author: 'sender', encryptedBy: input.encryptedBy, today: input.today, now: input.now });
    return { submissionId, messageId };
  });
}

export async function beginFollowUp(
  db: Database,
  input: { submissionId: number; encryptedBy: 'browser' | 'server'; today: string; now: Date },
): Promise<number> {
  return insertMessage(db, { ...input, author: 'sender' });
}

async function insertMessage(
  db: Database,
  input: { submissionId: number; author: 'sender' | 'reviewer'; encryptedBy: 'browser' | 'server'; today: string; now: Date; senderCopy?: Buffer },
): Promise<number> {
  const row = await db
    .insertInto('intake_messages')
    .values({
      submission_id: input.submissionId,
      author: input.author,
      encrypted_by: input.encryptedBy,
      state: input.senderCopy ? 'stored' : 'receiving',
      received_on: input.today,
      receiving_since: coarseTimestamp(input.now),
      sender_copy: input.senderCopy ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function writeChunk(db: Database, messageId: number, seq: number, data: Buffer): Promise<void> {
  await db.insertInto('intake_chunks').values({ message_id: messageId, seq, data }).execute();
}

/**
 * A piece of an upload still arriving: not flushed to disk on its own (the event loop would wait for each), since no
 * one has been told it is kept. The commit that stores the whole message flushes it with everything before it.
 */
export async function writeArrivingChunk(database: DatabaseHandle, messageId: number, seq: number, data: Buffer): Promise<void> {
  await database.unflushedWrite((trx) => writeChunk(trx, messageId, seq, data));
}

/** The readers of a message just stored get the fixed notification on the next round (see housekeeping.ts). */
async function markForNotification(trx: Database, readerIds: readonly number[]): Promise<void> {
  if (readerIds.length === 0) return;
  await trx.updateTable('intake_recipients').set({ notify_pending: 1 }).where('id', 'in', readerIds).where('notify_email', 'is not', null).execute();
}

/** A message is whole: it is shown from now on, and its readers are told on the next round. */
async function markStored(trx: Database, input: { messageId: number; size: number; readerIds: readonly number[] }): Promise<void> {
  await markForNotification(trx, input.readerIds);
  await trx.updateTable('intake_messages').set({ state: 'stored', size: input.size }).where('id', '=', input.messageId).execute();
}

/** The first message is whole: the submission opens under its codename. */
export async function completeSubmission(
  db: Database,
  input: { submissionId: number; messageId: number; size: number; codenameLookup: string; replyPublicKey: Buffer; readerIds: readonly number[] },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await markStored(trx, input);
    await trx
      .updateTable('intake_submissions')
      .set({ state: 'open', codename_lookup: input.codenameLookup, reply_public_key: input.replyPublicKey })
      .where('id', '=', input.submissionId)
      .execute();
  });
}

export async function completeFollowUp(
  db: Database,
  input: { submissionId: number; messageId: number; size: number; today: string; deleteOn: string; followUpsToday: number; readerIds: readonly number[] },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await markStored(trx, input);
    await trx
      .updateTable('intake_submissions')
      .set({ last_follow_up_on: input.today, delete_on: input.deleteOn, follow_ups_today: input.followUpsToday })
      .where('id', '=', input.submissionId)
      .execute();
  });
}

/** Forgets a message that did not arrive whole, and its submission if that was its first message. */
export async function abandonMessage(db: Database, input: { submissionId: number; messageId: number; firstMessage: boolean }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('intake_chunks').where('message_id', '=', input.messageId).execute();
    await trx.deleteFrom('intake_messages').where('id', '=', input.messageId).execute();
    if (input.firstMessage) await trx.deleteFrom('intake_submissions').where('id', '=', input.submissionId).where('state', '=', 'receiving').execute();
  });
}

/** A reviewer's reply, both copies; call it inside the transaction that audits it. */
export async function storeReply(
  trx: Database,
  input: { submissionId: number; today: string; now: Date; recipientsCopy: Uint8Array; senderCopy: Buffer },
): Promise<number> {
  const messageId = await insertMessage(trx, { ...input, author: 'reviewer', encryptedBy: 'server' });
  const copy = Buffer.from(input.recipientsCopy);
  for (let seq = 0, at = 0; at < copy.length; seq++, at += CHUNK_BYTES) await writeChunk(trx, messageId, seq, copy.subarray(at, at + CHUNK_BYTES));
  await trx.updateTable('intake_messages').set({ size: copy.length }).where('id', '=', messageId).execute();
  return messageId;
}

export interface OpenSubmission {
  id: number;
  kind: IntakeKind;
  partnerId: number | null;
  campaignId: number | null;
  receivedOn: string;
  lastFollowUpOn: string | null;
  followUpsToday: number;
  replyPublicKey: Buffer;
}

export async function findSubmissionByLookup(db: Database, lookup: string): Promise<OpenSubmission | undefined> {
  const row = await db.selectFrom('intake_submissions').selectAll().where('codename_lookup', '=', lookup).where('state', '=', 'open').executeTakeFirst();
  return row ? toOpenSubmission(row) : undefined;
}

/** An open submission, if `scope` may see it: one outside it is as missing as one that never was. */
export async function findOpenSubmission(db: Database, id: number, scope: InboxScope): Promise<OpenSubmission | undefined> {
  const partnerId = partnerOf(scope);
  if (partnerId === null) return undefined;
  const row = await db
    .selectFrom('intake_submissions')
    .selectAll()
    .where('id', '=', id)
    .where('state', '=', 'open')
    .$if(partnerId !== undefined, (qb) => qb.where('kind', '=', 'help').where('partner_id', '=', partnerId!))
    .executeTakeFirst();
  return row ? toOpenSubmission(row) : undefined;
}

function toOpenSubmission(row: {
  id: number;
  kind: IntakeKind;
  partner_id: number | null;
  campaign_id: number | null;
  received_on: string;
  last_follow_up_on: string | null;
  follow_ups_today: number;
  reply_public_key: Buffer | null;
}): OpenSubmission {
  return {
    id: Number(row.id),
    kind: row.kind,
    partnerId: row.partner_id === null ? null : Number(row.partner_id),
    campaignId: row.campaign_id === null ? null : Number(row.campaign_id),
    receivedOn: row.received_on,
    lastFollowUpOn: row.last_follow_up_on,
    followUpsToday: Number(row.follow_ups_today),
    replyPublicKey: Buffer.from(row.reply_public_key ?? Buffer.alloc(0)),
  };
}

export async function listOpenSubmissions(db: Database, scope: InboxScope): Promise<SubmissionSummary[]> {
  const partnerId = partnerOf(scope);
  if (partnerId === null) return [];
  const rows = await db
    .selectFrom('intake_submissions as s')
    .leftJoin('intake_messages as m', (join) => join.onRef('m.submission_id', '=', 's.id').on('m.state', '=', 'stored'))
    .select(['s.id', 's.kind', 's.campaign_id', 's.partner_id', 's.received_on', 's.last_follow_up_on', 's.delete_on'])
    .select((eb) => eb.fn.count<number>('m.id').as('messages'))
    .where('s.state', '=', 'open')
    .$if(partnerId !== undefined, (qb) => qb.where('s.kind', '=', 'help').where('s.partner_id', '=', partnerId!))
    .groupBy(['s.id', 's.kind', 's.campaign_id', 's.partner_id', 's.received_on', 's.last_follow_up_on', 's.delete_on'])
    .orderBy('s.id', 'desc')
    .execute();
  return rows.map((row) => ({
    id: Number(row.id),
    kind: row.kind,
    campaignId: row.campaign_id === null ? null : Number(row.campaign_id),
    partnerId: row.partner_id === null ? null : Number(row.partner_id),
    receivedOn: row.received_on,
    lastFollowUpOn: row.last_follow_up_on,
    deleteOn: row.delete_on,
    messages: Number(row.messages),
  }));
}

export async function listMessages(db: Database, submissionId: number): Promise<MessageSummary[]> {
  const rows = await db
    .selectFrom('intake_messages')
    .select(['id', 'author', 'encrypted_by', 'received_on', 'size'])
    .where('submission_id', '=', submissionId)
    .where('state', '=', 'stored')
    .orderBy('id')
    .execute();
  return rows.map((row) => ({ id: Number(row.id), author: row.author, encryptedBy: row.encrypted_by, receivedOn: row.received_on, size: Number(row.size) }));
}

/** The reviewer replies sealed for the codename holder, oldest first. */
export async function listSenderCopies(
  db: Database,
  submissionId: number,
): Promise<Array<{ receivedOn: string; author: 'sender' | 'reviewer'; senderCopy: Buffer | null }>> {
  const rows = await db
    .selectFrom('intake_messages')
    .select(['received_on', 'author', 'sender_copy'])
    .where('submission_id', '=', submissionId)
    .where('state', '=', 'stored')
    .orderBy('id')
    .execute();
  return rows.map((row) => ({ receivedOn: row.received_on, author: row.author, senderCopy: row.sender_copy ? Buffer.from(row.sender_copy) : null }));
}

export async function findStoredMessage(
  db: Database,
  messageId: number,
  scope: InboxScope,
): Promise<{ id: number; submissionId: number; receivedOn: string } | undefined> {
  const partnerId = partnerOf(scope);
  if (partnerId === null) return undefined;
  const row = await db
    .selectFrom('intake_messages as m')
    .innerJoin('intake_submissions as s', 's.id', 'm.submission_id')
    .select(['m.id', 'm.submission_id', 'm.received_on'])
    .where('m.id', '=', messageId)
    .where('m.state', '=', 'stored')
    .where('s.state', '=', 'open')
    .$if(partnerId !== undefined, (qb) => qb.where('s.kind', '=', 'help').where('s.partner_id', '=', partnerId!))
    .executeTakeFirst();
  return row ? { id: Number(row.id), submissionId: Number(row.submission_id), receivedOn: row.received_on } : undefined;
}

/** A message's ciphertext, chunk by chunk: a download never holds more than one in memory. */
export async function* readChunks(db: Database, messageId: number): AsyncGenerator<Buffer> {
  for (let seq = 0; ; seq++) {
    const row = await db.selectFrom('intake_chunks').select('data').where('message_id', '=', messageId).where('seq', '=', seq).executeTakeFirst();
    if (!row) return;
    yield Buffer.from(row.data);
  }
}

/** A submission with every message and chunk; call it inside a transaction. */
export async function deleteSubmission(trx: Database, submissionId: number): Promise<void> {
  const messages = trx.selectFrom('intake_messages').select('id').where('submission_id', '=', submissionId);
  await trx.deleteFrom('intake_chunks').where('message_id', 'in', messages).execute();
  await trx.deleteFrom('intake_messages').where('submission_id', '=', submissionId).execute();
  await trx.deleteFrom('intake_submissions').where('id', '=', submissionId).execute();
}

/** Submissions whose deletion day has come, gone with every message and chunk. */
export async function deleteExpiredSubmissions(db: Database, today: string): Promise<number> {
  const expired = await db.selectFrom('intake_submissions').select('id').where('delete_on', '<=', today).execute();
  for (const { id } of expired) await db.transaction().execute((trx) => deleteSubmission(trx, Number(id)));
  return expired.length;
}

/** Messages still receiving since before `before` (coarse timestamps): uploads that will never finish. */
export async function sweepReceiving(db: Database, before: string): Promise<number> {
  const stale = await db
    .selectFrom('intake_messages')
    .select(['id', 'submission_id'])
    .where('state', '=', 'receiving')
    .where('receiving_since', '<', before)
    .execute();
  for (const message of stale) {
    const submission = await db.selectFrom('intake_submissions').select('state').where('id', '=', message.submission_id).executeTakeFirst();
    await abandonMessage(db, { submissionId: Number(message.submission_id), messageId: Number(message.id), firstMessage: submission?.state === 'receiving' });
  }
  return stale.length;
}
