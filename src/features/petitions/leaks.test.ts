/**
 * Signer data never leaks: unique markers planted in every field of the signing form (name, email, postcode, share
 * code), through form and JSON posts, refusals, confirmation, withdrawal and the mail worker, must not show up in
 * the logs (captured at debug level, so every request line is there) nor in the clear anywhere in the database:
 * every table read row by row, and on SQLite the files under DATA_DIR read as bytes (test/helpers/database-dump.ts).
 *
 * Two things are in the clear by design and are checked to be only where they belong: the first name of a signer
 * who ticked "show my first name" (signatures.public_name), and the share code (signatures.ref, for attribution).
 * The development mailbox DATA_DIR/mail holds the addresses mail was sent to: it is the documented dev mailbox
 * (src/jobs/mailer.ts), used only when no SMTP_URL is set, so it is not searched here.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects, startTestApp, startTestWorker, type TestContext } from '../../../test/helpers/app.ts';
import { dumpStorage } from '../../../test/helpers/database-dump.ts';
import { makeCampaign, makeOrganisationKey, makePetition, queuedConfirmations, signFields } from '../../../test/helpers/factories.ts';
import { Browser } from '../../../test/helpers/http.ts';

const EMAIL_PATTERN = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;

/** A marker whose random part (12 hex digits) is what gets searched for, in any case or encoding around it. */
function hex(): string {
  return randomBytes(6).toString('hex');
}

for (const dialect of availableDialects()) {
  describe(`petitions: no signer data in logs or in the clear in storage [${dialect}]`, () => {
    let context: TestContext & { close(): Promise<void> };
    beforeAll(async () => {
      context = await startTestApp(dialect, { LOG_LEVEL: 'debug' });
    });
    afterAll(async () => {
      await context?.close();
    });

    it('keeps names, addresses, postcodes and share codes out of the logs and out of the database in the clear', async () => {
      const { app, db, logs, dataDir } = context;
      await makeOrganisationKey(db, app.signing.sealer);
      const campaign = await makeCampaign(db, { status: 'published' });
      const { id: petitionId } = await makePetition(db, campaign.id, { milestones: [1] });
      const slug = campaign.input.slug;

      /** Secret everywhere: must appear in no log and nowhere in the database. */
      const secret: string[] = [];
      /** Public by the signer's choice or by design: in no log, and in the database only in its own column. */
      const firstNames: string[] = [];
      const refs: string[] = [];
      /** A signer's fields, each carrying a marker; `refused` is never stored, so all of it is secret. */
      const signer = (options: { showName: boolean; refused?: boolean }) => {
        const [first, last, local, postcode, ref] = [hex(), hex(), hex(), hex(), hex()];
        secret.push(last, local, postcode);
        (options.showName && !options.refused ? firstNames : secret).push(first);
        (options.refused ? secret : refs).push(ref);
        return signFields(app, {
          name: `First${first} Last${last}`,
          email: `Marker.${local}+tag@Example.org`,
          postcode: `PC ${postcode}`,
          ref: `ref_${ref}`,
          ...(options.showName ? { show_name: '1' } : {}),
          updates: '1',
        });
      };

      // Signed by form and by JSON, confirmed; one of them withdrawn afterwards; one signs twice.
      const byForm = signer({ showName: true });
      const byJson = signer({ showName: false });
      const withdrawn = signer({ showName: false });
      expect((await new Browser(app).post(`/c/${slug}/sign`, byForm)).statusCode).toBe(303);
      const json = await app.inject({
        method: 'POST',
        url: `/c/${slug}/sign`,
        remoteAddress: new Browser(app).remoteAddress,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        payload: JSON.stringify(byJson),
      });
      expect(json.statusCode).toBe(202);
      expect((await new Browser(app).post(`/c/${slug}/sign`, withdrawn)).statusCode).toBe(303);
      expect((await new Browser(app).post(`/c/${slug}/sign`, { ...byForm, email: byForm['email']!.toLowerCase() })).statusCode).toBe(303);

      // Refusals quote nothing of what was sent either: a field error (form and JSON), a honeypot, a closed door.
      const refused = signer({ showName: true, refused: true });
      expect((await new Browser(app).post(`/c/${slug}/sign`, { ...refused, country: 'XX' })).statusCode).toBe(400);
      expect(
        (
          await app.inject({
            method: 'POST',
            url: `/c/${slug}/sign`,
            headers: { 'content-type': 'application/json', accept: 'application/json' },
            payload: JSON.stringify({ ...refused, consent: undefined }),
          })
        ).statusCode,
      ).toBe(400);
      expect((await new Browser(app).post(`/c/${slug}/sign`, { ...refused, website: 'filled' })).statusCode).toBe(303);
      expect((await new Browser(app).post(`/c/no-such-campaign/sign`, refused)).statusCode).toBe(404);
      expect(
        (
          await app.inject({
            method: 'POST',
            url: `/c/${slug}/sign`,
            headers: { 'content-type': 'application/json' },
            payload: `{"name":"First${secret.at(-1)}",`,
          })
        ).statusCode,
      ).toBe(400);

      const mails = await queuedConfirmations(app, { petitionId });
      expect(mails).toHaveLength(3);
      for (const mail of mails) {
        const browser = new Browser(app);
        expect((await browser.get(`/confirm/${mail.confirmToken}`)).statusCode).toBe(200);
        expect((await browser.post(`/confirm/${mail.confirmToken}`, {})).statusCode).toBe(200);
      }
      const toWithdraw = mails.find((m) => m.to === withdrawn['email'])!;
      expect((await new Browser(app).post(`/withdraw/${toWithdraw.withdrawToken}`, {})).statusCode).toBe(200);

      // The worker sends the mails (into the dev mailbox), folds the counts and records the milestone.
      const worker = startTestWorker(app);
      try {
        const deadline = Date.now() + 15_000;
        for (;;) {
          const left = await db
            .selectFrom('jobs')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow();
          const milestone = await db.selectFrom('milestones_reached').select('milestone').where('petition_id', '=', petitionId).executeTakeFirst();
          if (Number(left.n) === 0 && milestone) break;
          if (Date.now() > deadline) throw new Error('the worker did not finish the jobs');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      } finally {
        await worker.stop();
      }
      // The dev mailbox has the mails (addresses in the clear there, as documented).
      const mailbox = path.join(dataDir, 'mail');
      expect(existsSync(mailbox) && readdirSync(mailbox).filter((name) => name.endsWith('.eml')).length).toBe(3);
      await app.countBoard.refresh();
      const page = await new Browser(app).get(`/c/${slug}`);
      expect(page.body).toContain(`First${firstNames[0]}`);

      // Logs: none of it, in any form.
      const logText = logs.join('').toLowerCase();
      expect(logs.length).toBeGreaterThan(10);
      for (const planted of [...secret, ...firstNames, ...refs]) expect(logText, `${planted} in the logs`).not.toContain(planted);
      expect(logText).not.toMatch(EMAIL_PATTERN);
      expect(logText).toContain('"route":"/c/:slug/sign"');

      // The database: nothing secret; the public first name only in public_name, the share code only in ref.
      const rows = await db.selectFrom('signatures').select(['public_name', 'ref', 'status']).where('petition_id', '=', petitionId).orderBy('id').execute();
      expect(rows).toHaveLength(3);
      expect(rows.map((r) => r.public_name)).toEqual([`First${firstNames[0]}`, null, null]);
      expect(rows.map((r) => r.ref)).toEqual(refs.map((ref) => `ref_${ref}`));
      // SQLite: the files (but the dev mailbox) as bytes, and every row; PostgreSQL: every row of every table.
      const stored = await dumpStorage(context, { skip: ['mail'] });
      const lower = Buffer.from(stored.all.toString('latin1').toLowerCase(), 'latin1');
      // The search does find what is stored in the clear (so an absence means something).
      for (const planted of [firstNames[0]!, ...refs]) expect(lower.indexOf(Buffer.from(planted, 'utf8')), `${planted} found`).toBeGreaterThan(-1);
      for (const planted of secret) expect(lower.indexOf(Buffer.from(planted, 'utf8')), `${planted} stored in the clear`).toBe(-1);
      expect(lower.indexOf(Buffer.from('example.org', 'utf8')), 'an address domain stored in the clear').toBe(-1);
      // Row by row, so the allowed values can be shown to be only where they belong.
      const text = stored.rows.toLowerCase();
      const withoutOwnColumns = text.replaceAll(`"public_name":"first${firstNames[0]}"`, '').replace(/"ref":"ref_[0-9a-f]{12}"/g, '');
      for (const planted of [...firstNames, ...refs]) expect(withoutOwnColumns, `${planted} outside its column`).not.toContain(planted);
    });
  });
}
