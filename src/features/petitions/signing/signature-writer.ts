/**
 * Group commit for the signing hot path: every signature submitted during one event-loop turn is written in one
 * transaction, with its sealing window and its confirmation mails queued. Each caller's promise settles only after that
 * transaction commits, so a 303/202 always means the signature is on disk.
 */
import type { SealingWindow } from '../../../crypto/hpke.ts';
import type { NewJob } from '../../../jobs/queue.ts';
import { noteForegroundWork } from '../../../web/foreground.ts';
import type { ConfirmationPayload } from './mails.ts';
import { signatureKey, type BatchStatements, type MailedSignature, type SignatureRow, type SignatureStore } from './signature-store.ts';

/**
 * Signing again while pending re-sends the confirmation at once, but at most one mail per signature in this long:
 * anyone can type someone else's address. The signed page states this rule (petitions.signed.spam).
 */
export const RESEND_AFTER_MS = 2 * 60 * 1000;
const REMEMBERED_WINDOWS = 16;

export interface PendingSignature {
  row: SignatureRow;
  window: SealingWindow;
  /**
   * The confirmation mail, once the row has its id (the mailed links name the signature by id): the new row, or on a
   * re-send the stored one, whose sealed record the withdraw link is derived from.
   */
  mail(signature: MailedSignature): ConfirmationPayload;
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
  /** Submitted and not yet answered (committed and on disk, or failed). */
  private unsettled = 0;
  private whenDrained: (() => void)[] = [];

  constructor(
    private readonly store: SignatureStore,
    /** Queues a batch's confirmation mails (see confirmationMailJobs). */
    private readonly mailJobs: (mails: ConfirmationPayload[]) => NewJob[],
    private readonly onMailQueued: () => void = () => {},
    /** Told each batch's size and the seconds from its start until it was on disk (for /metrics). */
    private readonly onBatch: (size: number, seconds: number) => void = () => {},
  ) {}

  submit(pending: PendingSignature): Promise<WriteOutcome> {
    this.unsettled += 1;
    return new Promise<WriteOutcome>((resolve, reject) => {
      this.queue.push({ pending, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once every signature submitted so far is answered: a stopping app waits for it before the database closes. */
  drained(): Promise<void> {
    if (this.unsettled === 0) return Promise.resolve();
    return new Promise((resolve) => this.whenDrained.push(resolve));
  }

  private settled(count: number): void {
    this.unsettled -= count;
    if (this.unsettled > 0) return;
    for (const resolve of this.whenDrained.splice(0)) resolve();
  }

  private schedule(): void {
    if (this.scheduled || this.flushing !== undefined) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flushing = this.flush().finally(() => {
        this.flushing = undefined;
        if (this.queue.length > 0) this.schedule();
      });
    });
  }

  /**
   * Settles once the batch is committed; its callers hear back once it is also on disk. The next batch may commit
   * while this one's flush to disk is under way.
   */
  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    noteForegroundWork();
    const startedAt = performance.now();
    try {
      const { value: outcomes, durable } = await this.store.transaction((statements) =>
        this.writeBatch(
          statements,
          batch.map((w) => w.pending),
        ),
      );
      this.rememberPersisted(batch);
      durable.then(
        () => {
          for (const [i, waiting] of batch.entries()) waiting.resolve(outcomes[i]!);
          this.settled(batch.length);
          this.onBatch(batch.length, (performance.now() - startedAt) / 1000);
          if (outcomes.some((o) => o !== 'already-signed')) this.onMailQueued();
        },
        (error: unknown) => this.rejectAll(batch, error),
      );
    } catch (error) {
      this.rejectAll(batch, error);
    }
  }

  /** Windows open for a second each, so only the last few can come round again; older ones are forgotten. */
  private rememberPersisted(batch: Waiting[]): void {
    for (const waiting of batch) this.persistedWindows.add(waiting.pending.window.id);
    for (const old of this.persistedWindows) {
      if (this.persistedWindows.size <= REMEMBERED_WINDOWS) break;
      this.persistedWindows.delete(old);
    }
  }

  private rejectAll(batch: Waiting[], error: unknown): void {
    for (const waiting of batch) waiting.reject(error);
    this.settled(batch.length);
  }

  private async writeBatch(statements: BatchStatements, batch: PendingSignature[]): Promise<WriteOutcome[]> {
    const windows = [...new Map(batch.filter((p) => !this.persistedWindows.has(p.window.id)).map((p) => [p.window.id, p.window])).values()];
    if (windows.length > 0) await statements.insertWindows(windows);
    const created = await statements.insertSignatures(batch.map((p) => p.row));

    const outcomes: WriteOutcome[] = [];
    const seen = new Set<string>();
    const mails: ConfirmationPayload[] = [];
    for (const pending of batch) {
      const key = signatureKey(pending.row.petition_id, pending.row.dedup_key);
      const id = created.get(key);
      if (id !== undefined && !seen.has(key)) {
        seen.add(key);
        mails.push(pending.mail({ id, sealed: pending.row.sealed }));
        outcomes.push('created');
      } else {
        const resent = await statements.resend(resendOf(pending.row));
        if (resent !== undefined) mails.push(pending.mail(resent));
        outcomes.push(resent === undefined ? 'already-signed' : 'resent');
      }
    }
    if (mails.length > 0) await statements.enqueueJobs(this.mailJobs(mails));
    return outcomes;
  }
}

/**
 * Signing again with the same address re-sends the confirmation (see RESEND_AFTER_MS), never a second signature. The
 * time is the new submission's own (its row's last_mailed_at): the limit and the stored times read one clock.
 */
function resendOf(row: SignatureRow) {
  const now = row.last_mailed_at;
  return {
    petitionId: row.petition_id,
    dedupKey: row.dedup_key,
    confirmTokenHash: row.confirm_token_hash,
    tokenExpiresAt: row.token_expires_at,
    now,
    mailedBefore: new Date(Date.parse(now) - RESEND_AFTER_MS).toISOString(),
  };
}
