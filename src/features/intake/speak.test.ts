/**
 * `/speak` through HTTP on both databases: testimony and help requests with JavaScript off (the server encrypts as
 * the form streams in) and on (the browser's ciphertext, checked), the codename and the return page, replies and
 * follow-ups, the inbox and its downloads, refusals that store nothing, and the intake pages' headers.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createMessage, encrypt, generateKey, readKey } from 'openpgp';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/helpers/app.ts';
import { loggedIn, makeCampaign } from '../../../test/helpers/factories.ts';
import { expectValidHtml } from '../../../test/helpers/html.ts';
import { addReader, codenameIn, counts, filesUnder, latestSubmissionId, openAs, postForm, storedCiphertext } from '../../../test/helpers/intake.ts';
import type { JobContext } from '../../jobs/job.ts';
import { createMailer } from '../../jobs/mailer.ts';
import { deleteWhatIsDue, sendNotifications } from './housekeeping.ts';
import { beginSubmission, deleteExpiredSubmissions } from './store.ts';
import { WAIT_WITHOUT_PROOF_MS } from './speak-routes.tsx';
import { setSwitch } from '../switches/switches.ts';
import { issueFormStamp } from '../../web/form-stamp.ts';
import { isProofOfWorkValid } from '../../web/proof-of-work.ts';

describeEachDialect('intake: /speak, codenames, replies and the inbox', (ctx) => {
  it('takes testimony with JavaScript off, encrypted as it streams, and shows a codename once', async () => {
    const { app, db } = ctx();
    const reviewer = await addReader(db, 'reviewer', 'Reviewer One');
    const page = await app.inject({ method: 'GET', url: '/speak' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['set-cookie']).toBeUndefined();
    expect(page.body).toContain('<title>Contact</title>');
    expect(page.body).toContain('Reviewer One');
    expect(page.body).toContain('this server encrypts what you send the moment it arrives');
    await expectValidHtml('speak', page);
    await expectValidHtml('speak (ru)', await app.inject({ method: 'GET', url: '/speak?lang=ru' }));

    const marker = `MARKER-${Date.now()}-testimony`;
    const photo = new Uint8Array(300_000).map((_, i) => (i * 7) % 251);
    const sent = await postForm(app, '/speak', [
      ['lang', 'en'],
      ['mode', 'server'],
      ['kind', 'testimony'],
      ['message', `They took my brother. ${marker}`],
      ['contact', `signal ${marker}-contact`],
      ['files', { name: 'photo.bin', type: 'application/octet-stream', bytes: photo }],
    ]);
    expect(sent.statusCode, sent.body.slice(0, 1500)).toBe(200);
    expect(sent.headers['cache-control']).toBe('no-store');
    const codename = codenameIn(sent);
    expect(codename.split(' ')).toHaveLength(7);
    await expectValidHtml('codename', sent);

    const submissionId = await latestSubmissionId(db);
    const [ciphertext] = await storedCiphertext(db, submissionId);
    expect(ciphertext!.includes(Buffer.from(marker))).toBe(false);
    const opened = await openAs(reviewer, ciphertext!);
    expect(opened.subject).toBe('Testimony');
    expect(opened.text).toContain(marker);
    const attachments = opened.attachments.map((a) => ({ name: a.filename, bytes: Buffer.from(a.content as ArrayBuffer) }));
    expect(attachments.find((a) => a.name === 'photo.bin')!.bytes.equals(Buffer.from(photo))).toBe(true);
    expect(opened.text).toContain(`${marker}-contact`);

    const row = await db.selectFrom('intake_submissions').selectAll().where('id', '=', submissionId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ kind: 'testimony', state: 'open' });
    expect(JSON.stringify(row)).not.toContain(codename);

    // Practising the codename without JavaScript: the page comes back with it and says whether the attempt matched.
    const practice = await app.inject({
      method: 'POST',
      url: '/speak/practice',
      payload: new URLSearchParams({ lang: 'en', codename, attempt: codename.toUpperCase().replace(/ /g, '-') }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
    });
    expect(practice.body).toContain('Correct. You can leave this page now.');
  });

  it('lets the codename holder read a reply and follow up; the inbox lists and serves ciphertext only', async () => {
    const { app, db } = ctx();
    const reviewer = await addReader(db, 'reviewer', 'Reviewer Two');
    const campaign = await makeCampaign(db, { status: 'published' });
    const sent = await postForm(app, '/speak', [
      ['campaign', campaign.input.slug],
      ['kind', 'testimony'],
      ['message', 'first message'],
    ]);
    const codename = codenameIn(sent);
    const submissionId = await latestSubmissionId(db);

    const { browser } = await loggedIn(app, db, 'owner');
    const inbox = await browser.get('/admin/intake');
    expect(inbox.statusCode).toBe(200);
    expect(inbox.body).toContain(`/admin/intake/submissions/${submissionId}`);
    expect(inbox.body).toContain(campaign.input.texts.en!.title);
    await expectValidHtml('inbox', inbox);
    const detail = await browser.get(`/admin/intake/submissions/${submissionId}`);
    await expectValidHtml('submission', detail);
    const messageId = /\/admin\/intake\/messages\/(\d+)\.pgp/.exec(detail.body)![1];
    const download = await browser.get(`/admin/intake/messages/${messageId}.pgp`);
    expect(download.headers['content-disposition']).toContain('attachment');
    expect(download.rawPayload.equals((await storedCiphertext(db, submissionId))[0]!)).toBe(true);

    const replyText = `We can help. Reply ${Date.now()}`;
    const replied = await browser.post(`/admin/intake/submissions/${submissionId}/reply`, { reply: replyText });
    expect(replied.statusCode, replied.body.slice(0, 800)).toBe(303);
    const replyRow = await db
      .selectFrom('intake_messages')
      .selectAll()
      .where('submission_id', '=', submissionId)
      .where('author', '=', 'reviewer')
      .executeTakeFirstOrThrow();
    expect(Buffer.from(replyRow.sender_copy!).includes(Buffer.from(replyText))).toBe(false);
    const reviewerCopy = await db.selectFrom('intake_chunks').select('data').where('message_id', '=', replyRow.id).executeTakeFirstOrThrow();
    expect((await openAs(reviewer, Buffer.from(reviewerCopy.data))).text).toContain(replyText);

    const back = await app.inject({
      method: 'POST',
      url: '/speak/return',
      payload: new URLSearchParams({ codename: ` ${codename.toUpperCase()} ` }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
    });
    expect(back.statusCode, back.body.slice(0, 1500)).toBe(200);
    expect(back.body).toContain(replyText);
    expect(back.body).not.toContain('first message');
    expect(back.headers['set-cookie']).toBeUndefined();
    await expectValidHtml('conversation', back);

    const followUp = await postForm(app, '/speak/follow-up', [
      ['codename', codename],
      ['message', 'second message'],
    ]);
    expect(followUp.statusCode, followUp.body.slice(0, 1500)).toBe(200);
    const texts = await Promise.all((await storedCiphertext(db, submissionId)).map(async (c) => (await openAs(reviewer, c)).text));
    expect(texts).toEqual([expect.stringContaining('first message'), expect.stringContaining('second message')]);

    const wrong = await app.inject({
      method: 'POST',
      url: '/speak/return',
      payload: new URLSearchParams({ codename: 'abacus abacus abacus abacus abacus abacus abacus' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('That codename was not recognised.');

    expect((await browser.post(`/admin/intake/submissions/${submissionId}/delete`, {})).statusCode).toBe(303);
    expect(await db.selectFrom('intake_messages').select('id').where('submission_id', '=', submissionId).execute()).toEqual([]);
  });

  it('sends a request for help to exactly the chosen partner', async () => {
    const { app, db } = ctx();
    await addReader(db, 'reviewer', 'Reviewer Three');
    const partner = await addReader(db, 'partner', 'Safe Route');
    const other = await addReader(db, 'partner', 'Other Route');
    const sent = await postForm(app, '/speak', [
      ['kind', 'help'],
      ['partner', String(partner.id)],
      ['message', 'I need to leave'],
    ]);
    expect(sent.statusCode, sent.body.slice(0, 1500)).toBe(200);
    const [ciphertext] = await storedCiphertext(db, await latestSubmissionId(db));
    expect((await openAs(partner, ciphertext!)).text).toContain('I need to leave');
    await expect(openAs(other, ciphertext!)).rejects.toThrow();
  });

  it('takes ciphertext made in the browser, and refuses plaintext or a message for other keys, storing nothing', async () => {
    const { app, db } = ctx();
    await addReader(db, 'reviewer', 'Reviewer Four');
    const page = await app.inject({ method: 'GET', url: '/speak' });
    const keysJson = /<script type="application\/json" id="speak-keys">(.*?)<\/script>/s.exec(page.body)![1]!;
    const armored = (JSON.parse(keysJson) as { testimony: string[] }).testimony;
    const encryptTo = async (keys: string[], text: string) =>
      encrypt({
        message: await createMessage({ binary: new TextEncoder().encode(text) }),
        encryptionKeys: await Promise.all(keys.map((armoredKey) => readKey({ armoredKey }))),
        format: 'binary',
      });
    const asFile = (bytes: Uint8Array) => ({ name: 'message.pgp', type: 'application/octet-stream', bytes });
    const browserForm = (bytes: Uint8Array) =>
      postForm(app, '/speak', [
        ['mode', 'browser'],
        ['kind', 'testimony'],
        ['ciphertext', asFile(bytes)],
      ]);

    const accepted = await browserForm(await encryptTo(armored, 'encrypted in the browser'));
    expect(accepted.statusCode, accepted.body.slice(0, 1500)).toBe(200);
    codenameIn(accepted);
    const stored = await db.selectFrom('intake_messages').select('encrypted_by').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(stored.encrypted_by).toBe('browser');

    const before = await counts(db);
    const stranger = await generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: 'Stranger' }], format: 'armored' });
    const refusals = [
      await browserForm(new TextEncoder().encode('-----BEGIN PGP MESSAGE-----\nplaintext pretending\n')),
      await browserForm(await encryptTo([stranger.publicKey], 'for someone else')),
      await browserForm(await encryptTo([...armored, stranger.publicKey], 'with an extra reader')),
      await browserForm((await encryptTo(armored, 'cut short')).slice(0, 200)),
      await postForm(app, '/speak', [
        ['mode', 'browser'],
        ['kind', 'testimony'],
        ['message', 'plaintext beside the ciphertext'],
      ]),
    ];
    for (const refusal of refusals) {
      expect(refusal.statusCode, refusal.body.slice(0, 800)).toBe(400);
      expect(refusal.body).toContain('NOT sent');
    }
    expect(await counts(db)).toEqual(before);
  });

  it('refuses a form without a choice, an empty message or an upload over the limit, storing nothing', async () => {
    const { app, db } = ctx();
    await addReader(db, 'reviewer', 'Reviewer Five');
    const before = await counts(db);
    const noKind = await postForm(app, '/speak', [['message', 'hello']]);
    expect(noKind.statusCode).toBe(400);
    expect(noKind.body).toContain('Choose whether you are sharing what happened or asking for help.');
    const noPartner = await postForm(app, '/speak', [
      ['kind', 'help'],
      ['partner', '999999'],
      ['message', 'hello'],
    ]);
    expect(noPartner.statusCode).toBe(400);
    const empty = await postForm(app, '/speak', [
      ['kind', 'testimony'],
      ['message', '   '],
    ]);
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Write a message or attach a file.');
    const outOfOrder = await postForm(app, '/speak', [
      ['message', 'before the choice'],
      ['kind', 'testimony'],
    ]);
    expect(outOfOrder.statusCode).toBe(400);
    expect(await counts(db)).toEqual(before);
  });

  it('with the proof-of-work switch on, takes a form with its puzzle solved or its minute waited, once', async () => {
    const { app, db } = ctx();
    await addReader(db, 'reviewer', 'Reviewer Puzzle');
    await setSwitch(db, 'intakeProofOfWork', true);
    app.switches.invalidate();
    try {
      const page = await app.inject({ method: 'GET', url: '/speak' });
      expect(page.body).toContain('your browser solves a small puzzle before sending');
      const stamp = /name="stamp" value="([^"]+)"/.exec(page.body)![1]!;
      // Every field the form can carry, as a browser without JavaScript sends them.
      const send = (fields: Array<[string, string]>) =>
        postForm(app, '/speak', [
          ['lang', 'en'],
          ['campaign', 'some-campaign'],
          ...fields,
          ['mode', 'server'],
          ['kind', 'testimony'],
          ['partner', ''],
          ['message', 'under attack'],
          ['contact', 'a contact'],
        ]);
      const before = await counts(db);
      const tooSoon = await send([
        ['stamp', stamp],
        ['pow', ''],
      ]);
      expect(tooSoon.statusCode).toBe(429);
      expect(tooSoon.body).toContain('only a minute after the page was opened');
      expect((await send([])).statusCode).toBe(400);
      expect(
        (
          await send([
            ['stamp', 'forged.stamp'],
            ['pow', '1'],
          ])
        ).statusCode,
      ).toBe(400);
      expect(await counts(db)).toEqual(before);

      let solution = 0;
      while (!isProofOfWorkValid(stamp, String(solution))) solution += 1;
      expect(
        (
          await send([
            ['stamp', stamp],
            ['pow', String(solution)],
          ])
        ).statusCode,
      ).toBe(200);
      const again = await send([
        ['stamp', stamp],
        ['pow', String(solution)],
      ]);
      expect(again.statusCode).toBe(400);
      expect(again.body).toContain('already used');
      const waited = issueFormStamp(app.deps.keys.formStamp, Date.now() - WAIT_WITHOUT_PROOF_MS - 1000);
      expect(
        (
          await send([
            ['stamp', waited],
            ['pow', ''],
          ])
        ).statusCode,
      ).toBe(200);
    } finally {
      await setSwitch(db, 'intakeProofOfWork', false);
      app.switches.invalidate();
    }
  });

  it('deletes submissions when their time comes, with every message', async () => {
    const { app, db } = ctx();
    await addReader(db, 'reviewer', 'Reviewer Six');
    await postForm(app, '/speak', [
      ['kind', 'testimony'],
      ['message', 'to be deleted'],
    ]);
    const id = await latestSubmissionId(db);
    const row = await db.selectFrom('intake_submissions').select(['received_on', 'delete_on']).where('id', '=', id).executeTakeFirstOrThrow();
    const received = new Date(`${row.received_on}T00:00:00Z`);
    expect((new Date(`${row.delete_on}T00:00:00Z`).getTime() - received.getTime()) / 86_400_000).toBe(90);
    await deleteExpiredSubmissions(db, '2000-01-01');
    expect(await db.selectFrom('intake_submissions').select('id').where('id', '=', id).execute()).toHaveLength(1);
    await deleteExpiredSubmissions(db, row.delete_on);
    expect(await db.selectFrom('intake_submissions').select('id').where('id', '=', id).execute()).toHaveLength(0);
  });

  it('tells readers by mail that something arrived, in words that never depend on what', async () => {
    const { app, db, dataDir } = ctx();
    const partner = await addReader(db, 'partner', 'Mail Route', 'route@example.org');
    const worker: JobContext = {
      database: app.deps.database,
      db,
      config: app.deps.config,
      mailer: createMailer(app.deps.config),
      dataKey: app.deps.keys.dataKey,
      logger: app.deps.logger,
    };
    await sendNotifications(worker);
    const mailDir = path.join(dataDir, 'mail');
    const before = filesUnder(dataDir).filter((f) => f.startsWith(mailDir)).length;
    const bodies: string[] = [];
    for (const message of ['short', 'a much longer message '.repeat(500)]) {
      await postForm(app, '/speak', [
        ['kind', 'help'],
        ['partner', String(partner.id)],
        ['message', message],
      ]);
      await postForm(app, '/speak', [
        ['kind', 'help'],
        ['partner', String(partner.id)],
        ['message', `${message} again`],
      ]);
      expect(await sendNotifications(worker)).toBe(1);
      expect(await sendNotifications(worker)).toBe(0);
      const mails = filesUnder(mailDir).sort();
      const latest = readFileSync(mails.at(-1)!, 'utf8');
      expect(latest).toContain('route@example.org');
      bodies.push(latest.slice(latest.indexOf('\n\n')));
    }
    expect(filesUnder(mailDir).length - before).toBe(2);
    expect(bodies[0]).toBe(bodies[1]);
    expect(bodies[0]).not.toContain('short');
  });

  it('sweeps an upload that never finished, and keeps one still arriving', async () => {
    const { db } = ctx();
    await addReader(db, 'reviewer', 'Reviewer Sweep');
    const now = new Date('2026-06-01T12:00:00Z');
    const stale = await beginSubmission(db, {
      kind: 'testimony',
      campaignId: null,
      partnerId: null,
      today: '2026-06-01',
      deleteOn: '2026-08-30',
      encryptedBy: 'server',
      now: new Date(now.getTime() - 13 * 3600_000),
    });
    const fresh = await beginSubmission(db, {
      kind: 'testimony',
      campaignId: null,
      partnerId: null,
      today: '2026-06-01',
      deleteOn: '2026-08-30',
      encryptedBy: 'server',
      now: new Date(now.getTime() - 3600_000),
    });
    const swept = await deleteWhatIsDue(db, now);
    expect(swept.swept).toBeGreaterThanOrEqual(1);
    const left = await db.selectFrom('intake_submissions').select('id').where('id', 'in', [stale.submissionId, fresh.submissionId]).execute();
    expect(left.map((r) => Number(r.id))).toEqual([fresh.submissionId]);
  });

  it('leaves no plaintext in the data folder, the database or its log', async () => {
    const { app, db, dataDir } = ctx();
    await addReader(db, 'reviewer', 'Reviewer Seven');
    const marker = `CANARY${Date.now()}XYZ`;
    await postForm(app, '/speak', [
      ['kind', 'testimony'],
      ['message', `${marker} message`],
      ['contact', `${marker} contact`],
      ['files', { name: `${marker}.txt`, type: 'text/plain', bytes: new TextEncoder().encode(`${marker} file`) }],
    ]);
    for (const file of filesUnder(dataDir)) expect(readFileSync(file).includes(Buffer.from(marker)), file).toBe(false);
  });
});
