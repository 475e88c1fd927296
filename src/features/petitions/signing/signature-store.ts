/**
 * The statements the signature writer runs for each batch, in both forms the database asks for (see
 * BatchStatementsFactory): Kysely queries on PostgreSQL, where the round trips to the server dominate; statements
 * prepared once on the embedded connection, where building and preparing a multi-row insert of a few hundred rows for
 * every batch cost more than inserting them (and the commit's flush runs off the event loop, db/sqlite-batch.ts).
 */
import { coarseTimestamp } from '../../../clock.ts';
import type SQLite from 'better-sqlite3';
import type { Insertable } from 'kysely';
import type { BatchStatementsFactory, BatchWriter, Database, DatabaseHandle } from '../../../db/database.ts';
import type { SignaturesTable } from '../../../db/schema.ts';
import { enqueueJobs, prepareJobInsert, type NewJob } from '../../../jobs/queue.ts';
import type { SealingWindow } from '../../../crypto/hpke.ts';

export type SignatureRow = Insertable<SignaturesTable> & { dedup_key: string };

/**
 * The fields a re-sent confirmation replaces: the new mail's confirmation link carries the new submission's token. The
 * withdraw link is never replaced: every mail to a signature carries the same one (see withdrawSecretOf).
 */
export interface Resend {
  petitionId: number;
  dedupKey: string;
  confirmTokenHash: string | null | undefined;
  tokenExpiresAt: string;
  now: string;
  /** Only a signature last mailed before this is mailed again. */
  mailedBefore: string;
}

/** A signature a mail goes to: its id, and its sealed record (the withdraw link is derived from it). */
export interface MailedSignature {
  id: number;
  sealed: Buffer;
}

export interface BatchStatements {
  insertWindows(windows: SealingWindow[]): Promise<void> | void;
  /** Inserts the rows, skipping any whose address already signed; returns the new ids by `signatureKey`. */
  insertSignatures(rows: SignatureRow[]): Promise<Map<string, number>> | Map<string, number>;
  /** Renews a still-pending signature's confirmation token if its last mail is old enough; returns the signature if so. */
  resend(resend: Resend): Promise<MailedSignature | undefined> | MailedSignature | undefined;
  enqueueJobs(jobs: NewJob[]): Promise<void> | void;
}

export type SignatureStore = BatchWriter<BatchStatements>;

export function signatureKey(petitionId: number, dedupKey: string): string {
  return `${petitionId}|${dedupKey}`;
}

const SIGNATURE_STATEMENTS: BatchStatementsFactory<BatchStatements> = { queries: kyselyStatements, prepared: preparedStatements };

export function signatureStoreFor(database: DatabaseHandle): SignatureStore {
  return database.batchWriter(SIGNATURE_STATEMENTS);
}

const CHUNK = 400;

function kyselyStatements(trx: Database): BatchStatements {
  return {
    async insertWindows(windows) {
      await trx
        .insertInto('sealing_windows')
        .values(windows.map(windowRow))
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    },
    async insertSignatures(rows) {
      const created = new Map<string, number>();
      for (let start = 0; start < rows.length; start += CHUNK) {
        const inserted = await trx
          .insertInto('signatures')
          .values(rows.slice(start, start + CHUNK))
          .onConflict((oc) => oc.columns(['petition_id', 'dedup_key']).doNothing())
          .returning(['id', 'petition_id', 'dedup_key'])
          .execute();
        for (const row of inserted) created.set(signatureKey(Number(row.petition_id), row.dedup_key!), Number(row.id));
      }
      return created;
    },
    async resend(resend) {
      const row = await trx
        .updateTable('signatures')
        .set({
          confirm_token_hash: resend.confirmTokenHash,
          token_expires_at: resend.tokenExpiresAt,
          last_mailed_at: resend.now,
        })
        .where('petition_id', '=', resend.petitionId)
        .where('dedup_key', '=', resend.dedupKey)
        .where('status', '=', 'pending')
        .where('last_mailed_at', '<', resend.mailedBefore)
        .returning(['id', 'sealed'])
        .executeTakeFirst();
      return row ? { id: Number(row.id), sealed: row.sealed } : undefined;
    },
    async enqueueJobs(jobs) {
      await enqueueJobs(trx, jobs);
    },
  };
}

function windowRow(window: SealingWindow) {
  return { id: window.id, key_id: window.keyId, enc: window.enc.toString('base64url'), created_at: coarseTimestamp(window.openedAt) };
}

const SIGNATURE_COLUMNS = [
  'petition_id',
  'dedup_key',
  'window_id',
  'sealed',
  'country',
  'status',
  'suspect',
  'suspect_reason',
  'public_name',
  'wants_updates',
  'ref',
  'confirm_token_hash',
  'withdraw_token_hash',
  'token_expires_at',
  'last_mailed_at',
  'created_at',
  'confirmed_at',
  'withdrawn_at',
] as const satisfies readonly (keyof SignaturesTable)[];

function preparedStatements(connection: SQLite.Database): BatchStatements {
  const insertWindow = connection.prepare(
    'insert into sealing_windows (id, key_id, enc, created_at) values (@id, @key_id, @enc, @created_at) on conflict (id) do nothing',
  );
  const insertSignature = connection.prepare<SignatureRow, { id: number }>(
    `insert into signatures (${SIGNATURE_COLUMNS.join(', ')}) values (${SIGNATURE_COLUMNS.map((c) => `@${c}`).join(', ')})
     on conflict (petition_id, dedup_key) do nothing returning id`,
  );
  const resend = connection.prepare<Resend, MailedSignature>(
    `update signatures set confirm_token_hash = @confirmTokenHash, token_expires_at = @tokenExpiresAt, last_mailed_at = @now
     where petition_id = @petitionId and dedup_key = @dedupKey and status = 'pending' and last_mailed_at < @mailedBefore returning id, sealed`,
  );
  const insertJobs = prepareJobInsert(connection);
  return {
    insertWindows: (windows) => {
      for (const window of windows) insertWindow.run(windowRow(window));
    },
    insertSignatures: (rows) => {
      const created = new Map<string, number>();
      for (const row of rows) {
        const inserted = insertSignature.get(row);
        if (inserted) created.set(signatureKey(row.petition_id, row.dedup_key), inserted.id);
      }
      return created;
    },
    resend: (values) => resend.get({ ...values, confirmTokenHash: values.confirmTokenHash ?? null }),
    enqueueJobs: insertJobs,
  };
}
