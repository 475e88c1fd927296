/**
 * Group commit for the signing hot path: every signature submitted during one event-loop turn is written in one
 * transaction, with its sealing window and its confirmation-mail job. Each caller's promise settles only after that
 * transaction commits, so a 303/202 always means the signature is on disk.
 */
import type { Insertable } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { SignaturesTable } from '../../db/schema.ts';
import { enqueueJob, enqueueJobs } from '../../jobs/queue.ts';
import type { SealingWindow } from '../../crypto/hpke.ts';

/** How often one pending signature may trigger another confirmation mail. */
export const RESEND_AFTER_MS = 10 * 60 * 1000;
const CHUNK = 400;

export interface PendingSignature {
  row: Insertable<SignaturesTable> & { dedup_key: string };
  window: SealingWindow;
  /** Builds the encrypted confirmation-mail job once the row has its id (the mailed links name the signature by id). */
  mailPayload(signatureId: number): string;
}

export type WriteOutcome = 'created' | 'resent' | 'already-signed';

interface Waiting {
  pending: PendingSignature;
  resolve(outcome: WriteOutcome): void;
  reject(error: unknown): void;
}

export class SignatureWriter {
  private queue: Waiting[] = [];
  private flushing: Promise<void> | undefined;
  private scheduled = false;
  private readonly persistedWindows = new Set<string>();

  constructor(private readonly db: Database, private readonly onMailQueued: () => void = () => {}) {}

  submit(pending: PendingSignature): Promise<WriteOutcome> {
    return new Promise<WriteOutcome>((resolve, reject) => {
      this.queue.push({ pending, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flushing = this.flush().finally(() => {
        this.flushing = undefined;
        if (this.queue.length > 0) this.schedule();
      });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    try {
      const outcomes = await this.db.transaction().execute((trx) => this.writeBatch(trx, batch.map((w) => w.pending)));
      for (const window of new Set(batch.map((w) => w.pending.window.id))) this.persistedWindows.add(window);
      batch.forEach((waiting, i) => waiting.resolve(outcomes[i]!));
      if (outcomes.some((o) => o !== 'already-signed')) this.onMailQueued();
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    }
  }

  private async writeBatch(trx: Database, batch: PendingSignature[]): Promise<WriteOutcome[]> {
    const windows = [...new Map(batch.filter((p) => !this.persistedWindows.has(p.window.id)).map((p) => [p.window.id, p.window])).values()];
    if (windows.length > 0) {
      await trx
        .insertInto('sealing_windows')
        .values(windows.map((w) => ({ id: w.id, key_id: w.keyId, enc: w.enc.toString('base64url'), created_at: new Date(w.openedAt).toISOString() })))
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    }
    const created = new Map<string, number>();
    for (let start = 0; start < batch.length; start += CHUNK) {
      const rows = await trx
        .insertInto('signatures')
        .values(batch.slice(start, start + CHUNK).map((p) => p.row))
        .onConflict((oc) => oc.columns(['petition_id', 'dedup_key']).doNothing())
        .returning(['id', 'petition_id', 'dedup_key'])
        .execute();
      for (const row of rows) created.set(`${Number(row.petition_id)}|${row.dedup_key}`, Number(row.id));
    }

    const outcomes: WriteOutcome[] = [];
    const seen = new Set<string>();
    const mails: string[] = [];
    for (const pending of batch) {
      const key = `${pending.row.petition_id}|${pending.row.dedup_key}`;
      const id = created.get(key);
      if (id !== undefined && !seen.has(key)) {
        seen.add(key);
        mails.push(pending.mailPayload(id));
        outcomes.push('created');
      } else {
        outcomes.push(await this.resendIfStillPending(trx, pending));
      }
    }
    for (let start = 0; start < mails.length; start += CHUNK) {
      await enqueueJobs(trx, mails.slice(start, start + CHUNK).map((payload) => ({ kind: 'confirmation-mail', payload })));
    }
    return outcomes;
  }

  /** Signing again with the same address re-sends the confirmation (at most every ten minutes), never a second signature. */
  private async resendIfStillPending(trx: Database, pending: PendingSignature): Promise<WriteOutcome> {
    const now = new Date();
    const resent = await trx
      .updateTable('signatures')
      // The new mail's links carry this submission's tokens, so they replace the old ones.
      .set({
        confirm_token_hash: pending.row.confirm_token_hash,
        withdraw_token_hash: pending.row.withdraw_token_hash,
        token_expires_at: pending.row.token_expires_at,
        last_mailed_at: now.toISOString(),
      })
      .where('petition_id', '=', pending.row.petition_id)
      .where('dedup_key', '=', pending.row.dedup_key)
      .where('status', '=', 'pending')
      .where('last_mailed_at', '<', new Date(now.getTime() - RESEND_AFTER_MS).toISOString())
      .returning('id')
      .executeTakeFirst();
    if (!resent) return 'already-signed';
    await enqueueJob(trx, { kind: 'confirmation-mail', payload: pending.mailPayload(Number(resent.id)) });
    return 'resent';
  }
}
