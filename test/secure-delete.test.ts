/**
 * What is erased is gone from the storage, not only from the rows: the sealed details of a withdrawn signature, the
 * mail jobs once sent, and the dedup keys of a withdrawn signature and of a closed petition. On SQLite the bytes of
 * every file under DATA_DIR (the database, its write-ahead log and shared memory; the dev mailbox aside) are searched
 * for them once the background checkpointer has copied the log into the database file and truncated it, as in
 * production: secure_delete zeroes what a row no longer holds, and the truncation drops the log's older page images.
 * On PostgreSQL the rows are checked; dead tuples and WAL segments are the operator's to reclaim (README, "Privacy
 * and security").
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { availableDialects, startTestApp, startTestWorker, type TestContext } from './helpers/app.ts';
import { dumpStorage } from './helpers/database-dump.ts';
import { loggedIn, makeCampaign, makeOrganisationKey, makePetition, queuedConfirmations, signFields } from './helpers/factories.ts';
import { addReader, codenameIn, latestSubmissionId, postForm, storedCiphertext } from './helpers/intake.ts';
import { Browser } from './helpers/http.ts';
import { setPetitionOpen } from '../src/features/petitions/service.ts';

/** Something stored once, searched for as fragments: any run of 2×FRAGMENT bytes left of it holds a whole fragment. */
interface Needle {
  what: string;
  bytes: Buffer;
}

const FRAGMENT = 16;

function fragmentsOf(bytes: Buffer): Buffer[] {
  if (bytes.length <= FRAGMENT) return [bytes];
  const fragments: Buffer[] = [];
  for (let start = 0; start + FRAGMENT <= bytes.length; start += FRAGMENT) fragments.push(bytes.subarray(start, start + FRAGMENT));
  fragments.push(bytes.subarray(bytes.length - FRAGMENT));
  return fragments;
}

/** The files under DATA_DIR (the dev mailbox, which holds addresses by design, aside), each with its bytes. */
function readDataFiles(dataDir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(dataDir).sort()) {
    const file = path.join(dataDir, name);
    if (!statSync(file).isDirectory()) files.set(name, readFileSync(file));
  }
  if (!files.has('outcry.db')) throw new Error(`no outcry.db under ${dataDir}: ${JSON.stringify([...files.keys()])}`);
  return files;
}

/** "what (in file)" for each needle and file that holds any fragment of it. */
function findIn(files: Map<string, Buffer>, needles: Needle[]): string[] {
  const found: string[] = [];
  for (const needle of needles) {
    for (const [name, bytes] of files) {
      if (fragmentsOf(needle.bytes).some((fragment) => bytes.includes(fragment))) found.push(`${needle.what} (in ${name})`);
    }
  }
  return found;
}

for (const dialect of availableDialects()) {
  describe(`erasure reaches the storage [${dialect}]`, () => {
    let context: TestContext & { close(): Promise<void> };
    beforeAll(async () => {
      context = await startTestApp(dialect);
    });
    afterAll(async () => {
      await context?.close();
    });

    it('leaves no byte of a withdrawn signature, a sent mail job or a closed petition’s dedup keys', async () => {
      const { app, db, database, dataDir } = context;
      await makeOrganisationKey(db, app.signing.sealer);
      const campaign = await makeCampaign(db, { status: 'published' });
      const slug = campaign.input.slug;
      const { id: stays } = await makePetition(db, campaign.id);
      const { id: closes } = await makePetition(db, campaign.id);

      // One at a time, so each signature's mail is a job of its own whose payload can be read before it is sent.
      const sign = async (petitionId: number) => {
        const fields = signFields(app, { petition: String(petitionId) });
        expect((await new Browser(app).post(`/c/${slug}/sign`, fields)).statusCode).toBe(303);
        return fields['email']!;
      };
      const withdrawnEmail = await sign(stays);
      const keptEmail = await sign(stays);
      await sign(closes);
      await sign(closes);

      const signatures = await db.selectFrom('signatures').select(['id', 'petition_id', 'sealed', 'dedup_key']).orderBy('id').execute();
      const [withdrawn, kept, ...closed] = signatures;
      expect(closed.map((s) => s.petition_id)).toEqual([closes, closes]);
      const mails = await queuedConfirmations(app);
      expect(mails.map((m) => m.to)).toEqual(expect.arrayContaining([withdrawnEmail, keptEmail]));
      const jobs = await db.selectFrom('jobs').select(['id', 'payload']).orderBy('id').execute();
      expect(jobs).toHaveLength(4);

      const erased: Needle[] = [
        { what: 'sealed details of the withdrawn signature', bytes: Buffer.from(withdrawn!.sealed) },
        { what: 'dedup key of the withdrawn signature', bytes: Buffer.from(withdrawn!.dedup_key!, 'utf8') },
        ...closed.map((s, i) => ({ what: `dedup key ${i + 1} of the closed petition`, bytes: Buffer.from(s.dedup_key!, 'utf8') })),
        ...jobs.map((job, i) => ({ what: `payload of sent mail job ${i + 1}`, bytes: Buffer.from(job.payload, 'utf8') })),
      ];
      const live: Needle[] = [
        { what: 'sealed details of the kept signature', bytes: Buffer.from(kept!.sealed) },
        { what: 'dedup key of the kept signature', bytes: Buffer.from(kept!.dedup_key!, 'utf8') },
      ];
      // The search finds what is stored (in the log, so far), so an absence later means something.
      if (dialect === 'sqlite') {
        const found = findIn(readDataFiles(dataDir), erased);
        for (const needle of erased) expect(found.some((f) => f.startsWith(`${needle.what} (`))).toBe(true);
      }

      // The signer confirms, the worker sends every mail (deleting its job), the signer withdraws, the other petition closes.
      const withdrawnMail = mails.find((m) => m.to === withdrawnEmail)!;
      const browser = new Browser(app);
      expect((await browser.post(`/confirm/${withdrawnMail.confirmToken}`, {})).statusCode).toBe(200);
      const worker = startTestWorker(app);
      try {
        await vi.waitFor(
          async () => {
            const left = await db
              .selectFrom('jobs')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .executeTakeFirstOrThrow();
            expect(Number(left.n)).toBe(0);
          },
          { timeout: 20_000, interval: 50 },
        );
      } finally {
        await worker.stop();
      }
      expect((await browser.post(`/withdraw/${withdrawnMail.withdrawToken}`, {})).statusCode).toBe(200);
      await setPetitionOpen(db, { userId: null, id: closes, open: false });

      // The rows say so on both engines.
      const after = await db.selectFrom('signatures').select(['id', 'sealed', 'dedup_key']).orderBy('id').execute();
      expect(Buffer.from(after[0]!.sealed).length).toBe(0);
      expect(after.map((s) => s.dedup_key)).toEqual([null, kept!.dedup_key, null, null]);
      expect(await db.selectFrom('jobs').select('id').execute()).toEqual([]);
      const { rows } = await dumpStorage(context, { skip: ['mail'] });
      expect(findIn(new Map([['rows', Buffer.from(rows, 'utf8')]]), erased)).toEqual([]);
      if (dialect !== 'sqlite') return;

      // SQLite: once nothing more is committed, the checkpointer copies the log into the database file and truncates it.
      expect(database.sqlite?.connection.pragma('secure_delete', { simple: true })).toBe(1);
      const log = path.join(dataDir, 'outcry.db-wal');
      await vi.waitFor(() => expect(statSync(log, { throwIfNoEntry: false })?.size ?? 0).toBe(0), { timeout: 30_000, interval: 50 });
      const files = readDataFiles(dataDir);
      expect(findIn(files, live)).toEqual(live.map((needle) => `${needle.what} (in outcry.db)`));
      expect(findIn(files, erased)).toEqual([]);
    });

    it('leaves no byte of a deleted intake submission: its ciphertext, its reply, its codename values', async () => {
      const { app, db, database, dataDir } = context;
      await addReader(db, 'reviewer', 'Erasure Reviewer');
      const file = { name: 'photo.bin', type: 'application/octet-stream', bytes: new Uint8Array(200_000).map((_, i) => (i * 13) % 256) };
      const send = async (message: string) => {
        const page = await postForm(app, '/speak', [
          ['kind', 'testimony'],
          ['message', message],
          ['files', file],
        ]);
        codenameIn(page);
        return latestSubmissionId(db);
      };
      const deleted = await send('to be deleted');
      const kept = await send('to be kept');
      const { browser } = await loggedIn(app, db, 'owner');
      expect((await browser.post(`/admin/intake/submissions/${deleted}/reply`, { reply: 'a reply that goes too' })).statusCode).toBe(303);

      const needlesOf = async (submissionId: number, what: string): Promise<Needle[]> => {
        const submission = await db
          .selectFrom('intake_submissions')
          .select(['codename_lookup', 'reply_public_key'])
          .where('id', '=', submissionId)
          .executeTakeFirstOrThrow();
        const reply = await db
          .selectFrom('intake_messages')
          .select('sender_copy')
          .where('submission_id', '=', submissionId)
          .where('author', '=', 'reviewer')
          .executeTakeFirst();
        const [ciphertext] = await storedCiphertext(db, submissionId);
        return [
          { what: `${what}: ciphertext`, bytes: ciphertext!.subarray(0, 4096) },
          { what: `${what}: codename lookup`, bytes: Buffer.from(submission.codename_lookup!, 'utf8') },
          { what: `${what}: reply key`, bytes: Buffer.from(submission.reply_public_key!) },
          ...(reply?.sender_copy ? [{ what: `${what}: sealed reply`, bytes: Buffer.from(reply.sender_copy) }] : []),
        ];
      };
      const erased = await needlesOf(deleted, 'deleted');
      const live = await needlesOf(kept, 'kept');
      expect((await browser.post(`/admin/intake/submissions/${deleted}/delete`, {})).statusCode).toBe(303);

      const { rows } = await dumpStorage(context, { skip: ['mail'] });
      expect(findIn(new Map([['rows', Buffer.from(rows, 'utf8')]]), erased)).toEqual([]);
      if (dialect !== 'sqlite') return;
      // A worker's tasks commit through the lock, which starts the checkpointer; once commits pause, it truncates the log.
      const worker = startTestWorker(app);
      try {
        const log = path.join(dataDir, 'outcry.db-wal');
        await vi.waitFor(() => expect(statSync(log, { throwIfNoEntry: false })?.size ?? 0).toBe(0), { timeout: 30_000, interval: 50 });
      } finally {
        await worker.stop();
      }
      expect(database.sqlite?.connection.pragma('secure_delete', { simple: true })).toBe(1);
      const files = readDataFiles(dataDir);
      expect(findIn(files, erased)).toEqual([]);
      expect(findIn(files, live).length).toBeGreaterThanOrEqual(live.length);
    });
  });
}
