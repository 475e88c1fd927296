/**
 * The petition capability through HTTP, on both databases: signing by form and by JSON, sealed storage, field
 * errors, dedup and re-sending, confirmation and withdrawal, closing, the kill switch, anti-abuse, refusals of
 * malformed requests, milestones and the recount.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Selectable } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../../test/helpers/app.ts';
import { makeCampaign, makeOrganisationKey, makePetition, queuedConfirmations, signFields, uniqueSuffix } from '../../../../test/helpers/factories.ts';
import { Browser } from '../../../../test/helpers/http.ts';
import { decryptForServer } from '../../../crypto/data-key.ts';
import { openRecord, recoverWindowKey, type OrganisationKeyPair } from '../../../crypto/hpke.ts';
import type { Database } from '../../../db/database.ts';
import type { SignaturesTable } from '../../../db/schema.ts';
import { setSwitch } from '../../switches/switches.ts';
import { foldCountEvents, readCounts, recountSignatures } from '../counting/counters.ts';
import { recordReachedMilestones } from '../counting/milestones.ts';
import { issueFormStamp, SharedFormStamp } from '../../../web/form-stamp.ts';
import { recordAad } from './sealer.ts';
import { setPetitionOpen } from '../service.ts';
import { RESEND_AFTER_MS } from './signature-writer.ts';
import { confirmationMail } from './mails.ts';
import type { JobContext } from '../../../jobs/job.ts';
import type { OutgoingMail } from '../../../jobs/mailer.ts';
import type { Locale } from '../../../web/i18n.ts';

type SignatureRow = Selectable<SignaturesTable>;

/** A JSON client: no cookies, no CSRF token, from the given address. */
function postJson(
  app: FastifyInstance,
  url: string,
  body: unknown,
  options: { remoteAddress?: string; headers?: Record<string, string> } = {},
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url,
    remoteAddress: options.remoteAddress ?? new Browser(app).remoteAddress,
    headers: { 'content-type': 'application/json', accept: 'application/json', ...options.headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function signaturesOf(db: Database, petitionId: number): Promise<SignatureRow[]> {
  return db.selectFrom('signatures').selectAll().where('petition_id', '=', petitionId).orderBy('id').execute();
}

/** Opens a sealed record as the organisation does on its own machine: window enc + secret key -> window key -> record. */
async function openSealed(db: Database, secretKey: Buffer, row: SignatureRow): Promise<unknown> {
  const window = await db.selectFrom('sealing_windows').select(['enc', 'key_id']).where('id', '=', row.window_id).executeTakeFirstOrThrow();
  const key = await recoverWindowKey(secretKey, Buffer.from(window.enc, 'base64url'));
  return JSON.parse(openRecord(key, Buffer.from(row.sealed), recordAad(Number(row.petition_id))).toString('utf8'));
}

/** A row as a copy of the database would show it: every column as text, bytes read both ways. */
function rowText(row: object): string {
  return JSON.stringify(row, (_key, value: unknown) => {
    if (value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer') {
      const bytes = Buffer.from((value as { data: number[] }).data);
      return `${bytes.toString('latin1')}|${bytes.toString('utf8')}`;
    }
    return value;
  });
}

async function countJson(
  app: FastifyInstance,
  slug: string,
): Promise<{ response: LightMyRequestResponse; body: { slug: string; signatures: number; goal: number; updatedAt: string } }> {
  const response = await app.inject({ method: 'GET', url: `/c/${slug}/count.json` });
  return { response, body: response.json() };
}

describeEachDialect('petitions: signing, confirming, counting', (ctx) => {
  let key: OrganisationKeyPair;

  beforeAll(async () => {
    key = await makeOrganisationKey(ctx().db, ctx().app.signing.sealer);
  });

  /** A published campaign with one open petition, made for one test. */
  async function openPetition(options: { milestones?: number[]; status?: 'draft' | 'published' } = {}) {
    const campaign = await makeCampaign(ctx().db, { status: options.status ?? 'published' });
    const petition = await makePetition(ctx().db, campaign.id, { milestones: options.milestones ?? [] });
    return { slug: campaign.input.slug, campaignId: campaign.id, petitionId: petition.id, goal: petition.input.goal };
  }

  /** Folds the count events and refreshes the in-memory counts, as the worker and the board do every second or two. */
  async function settleCounts(): Promise<void> {
    await foldCountEvents(ctx().database);
    await ctx().app.countBoard.refresh();
  }

  /** Signs with a fresh browser and confirms with the link from the queued mail. */
  async function signAndConfirm(
    slug: string,
    petitionId: number,
    overrides: Record<string, string | undefined> = {},
  ): Promise<{ browser: Browser; fields: Record<string, string | undefined> }> {
    const browser = new Browser(ctx().app);
    const fields = signFields(ctx().app, overrides);
    expect((await browser.post(`/c/${slug}/sign`, fields)).statusCode).toBe(303);
    const mail = (await queuedConfirmations(ctx().app, { petitionId })).findLast((m) => m.to === fields['email']);
    expect(mail).toBeDefined();
    expect((await browser.post(`/confirm/${mail!.confirmToken}`, {})).statusCode).toBe(200);
    return { browser, fields };
  }

  it('stores a supporter’s times only to the minute: created, mailed, confirmed, withdrawn, counted, sealed', async () => {
    const { slug, petitionId } = await openPetition();
    const { browser, fields } = await signAndConfirm(slug, petitionId);
    const mail = (await queuedConfirmations(ctx().app, { petitionId })).findLast((m) => m.to === fields['email']);
    expect((await browser.post(`/withdraw/${mail!.withdrawToken}`, {})).statusCode).toBe(200);
    const [row] = await signaturesOf(ctx().db, petitionId);
    const events = await ctx().db.selectFrom('count_events').select('created_at').where('petition_id', '=', petitionId).execute();
    const window = await ctx().db.selectFrom('sealing_windows').select('created_at').where('id', '=', row!.window_id).executeTakeFirstOrThrow();
    const times = [
      row!.created_at,
      row!.last_mailed_at,
      row!.token_expires_at,
      row!.confirmed_at,
      row!.withdrawn_at,
      window.created_at,
      ...events.map((e) => e.created_at),
    ];
    expect(events.length).toBe(2);
    for (const time of times) expect(new Date(time!).getTime() % 60_000, String(time)).toBe(0);
  });

  it('takes a form signature: 303 to the signed page, stored pending and sealed to the organisation key', async () => {
    const { db, app } = ctx();
    const { slug, petitionId } = await openPetition();
    const browser = new Browser(app);
    const fields = signFields(app, { name: '  Maria Ivanova-Petrova ', show_name: '1', updates: '1', ref: 'share_Ab-12', country: 'ru' });
    const response = await browser.post(`/c/${slug}/sign`, fields);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/c/${slug}/signed`);
    const signed = await browser.get(String(response.headers.location));
    expect(signed.statusCode).toBe(200);
    expect(signed.body).toContain('Check your email');

    const [row, ...others] = await signaturesOf(db, petitionId);
    expect(others).toEqual([]);
    expect(row).toMatchObject({
      status: 'pending',
      suspect: 0,
      suspect_reason: null,
      country: 'RU',
      public_name: 'Maria',
      wants_updates: 1,
      ref: 'share_Ab-12',
      confirmed_at: null,
      withdrawn_at: null,
    });
    expect(await openSealed(db, key.secretKey, row!)).toEqual({ name: 'Maria Ivanova-Petrova', email: fields['email'], postcode: fields['postcode'] });
    // The record is bound to its petition: moved to another, it does not open.
    await expect(openSealed(db, key.secretKey, { ...row!, petition_id: petitionId + 1 })).rejects.toThrow();
    const window = await db.selectFrom('sealing_windows').select('key_id').where('id', '=', row!.window_id).executeTakeFirstOrThrow();
    expect(window.key_id).toBe(key.keyId);

    // Nothing of the name (beyond the first name shown by choice), address or postcode is in the row in the clear.
    const text = rowText(row!).toLowerCase();
    const email = fields['email']!;
    // (Only fragments long enough not to turn up by chance inside the row's hashes and random keys.)
    for (const secret of ['Ivanova', email, email.split('@')[0]!, fields['postcode']!]) expect(text).not.toContain(secret.toLowerCase());
    expect(row!.dedup_key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(row!.confirm_token_hash).toMatch(/^[0-9a-f]{64}$/);

    // One confirmation mail queued, the address inside it encrypted with the server's data key.
    const mails = await queuedConfirmations(app, { petitionId });
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ to: email, campaignSlug: slug, locale: 'en' });
    const job = await db.selectFrom('jobs').select('payload').where('id', '=', mails[0]!.jobId).executeTakeFirstOrThrow();
    expect(job.payload).not.toContain(email.split('@')[0]!);
  });

  it('takes a JSON signature without CSRF: 202 {"status":"pending"}, no public name unless asked, a bad share code dropped', async () => {
    const { db, app } = ctx();
    const { slug, petitionId } = await openPetition();
    const fields = signFields(app, { ref: 'not a share code!' });
    const response = await postJson(app, `/c/${slug}/sign`, { ...fields, consent: true });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual({ status: 'pending' });
    expect(response.headers['cache-control']).toBe('no-store');
    const rows = await signaturesOf(db, petitionId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'pending', suspect: 0, public_name: null, wants_updates: 0, ref: null, country: 'GB' });
    expect(await openSealed(db, key.secretKey, rows[0]!)).toEqual({ name: fields['name'], email: fields['email'], postcode: fields['postcode'] });
    expect(rowText(rows[0]!)).not.toContain(fields['name']!.split(' ')[0]!);

    // The form needs no CSRF token either: it is on a page shared caches keep, and a browser's cross-site post is
    // refused by its Sec-Fetch-Site or Origin before any route (src/web/cross-site.test.ts).
    const noCsrf = await new Browser(app).post(`/c/${slug}/sign`, signFields(app), { csrf: false });
    expect(noCsrf.statusCode).toBe(303);
    expect(await signaturesOf(db, petitionId)).toHaveLength(2);
  });

  it('refuses invalid fields: the form again with an error summary and the values kept, or a JSON error naming the fields; nothing stored', async () => {
    const { db, app } = ctx();
    const { slug, petitionId } = await openPetition();
    const jobsBefore = (await queuedConfirmations(app)).length;
    const browser = new Browser(app);
    const form = await browser.post(
      `/c/${slug}/sign`,
      signFields(app, { name: 'Zoë "Z" <Tester>', email: 'zoe@not-a-domain', country: 'fr', consent: undefined, postcode: 'x'.repeat(21) }),
    );
    expect(form.statusCode).toBe(400);
    expect(form.headers['content-type']).toContain('text/html');
    expect(form.body).toContain('class="error-summary"');
    for (const field of ['email', 'consent', 'postcode']) expect(form.body).toContain(`href="#${field}"`);
    expect(form.body).not.toContain('href="#name"');
    expect(form.body).not.toContain('href="#country"');
    expect(form.body).toContain('Tick this box to sign');
    expect(form.body).toContain('Enter an email address like name@example.org.');
    // Values kept, escaped; the country chosen stays chosen; a stamp of this visitor's own comes with the form.
    expect(form.body).toContain('value="Zoë &quot;Z&quot; &lt;Tester>"');
    expect(form.body).toContain('value="zoe@not-a-domain"');
    expect(form.body).toMatch(/<option value="FR" selected(="")?>/);
    expect(form.body).toContain(`<form method="post" action="/c/${slug}/sign?lang=en"`);
    expect(form.body).toMatch(/name="ts" value="\d{13}\.[A-Za-z0-9_-]{12}\.[A-Za-z0-9_-]{43}"/);

    const json = await postJson(app, `/c/${slug}/sign`, { name: '', email: 'nobody', country: 'XX', consent: false, petition: 'abc' });
    expect(json.statusCode).toBe(400);
    const error = json.json<{ error: { code: string; message: string; fields: Record<string, string> } }>().error;
    expect(error.code).toBe('validation_failed');
    expect(typeof error.message).toBe('string');
    expect(Object.keys(error.fields).sort()).toEqual(['consent', 'country', 'email', 'name', 'petition']);
    expect(error.fields['consent']).toBe('petitions.validation.consent');

    // Consent alone missing is an error on consent alone, whichever way it is left out.
    for (const consent of [undefined, '', 'false', false]) {
      const response = await postJson(app, `/c/${slug}/sign`, { ...signFields(app), consent });
      expect(response.statusCode).toBe(400);
      expect(response.json<{ error: { fields: Record<string, string> } }>().error.fields).toEqual({ consent: 'petitions.validation.consent' });
    }
    const noConsentForm = await browser.post(`/c/${slug}/sign`, signFields(app, { consent: undefined }));
    expect(noConsentForm.statusCode).toBe(400);
    expect(noConsentForm.body).toContain('href="#consent"');

    expect(await signaturesOf(db, petitionId)).toEqual([]);
    expect((await queuedConfirmations(app)).length).toBe(jobsBefore);
  });

  it('keeps one signature per person, however the address is spelled; re-sends at most every two minutes, with a new confirmation link', async () => {
    const { db, app } = ctx();
    const { slug, petitionId } = await openPetition();
    const local = `jane.doe.${uniqueSuffix()}`;
    const spellings = [
      `${local}+petition@gmail.com`,
      `${local.toUpperCase()}@GMAIL.com`,
      `${local.replaceAll('.', '')}+x@googlemail.com`,
      `${local.replaceAll('.', '').split('').join('.')}@Gmail.Com`,
    ];

    const first = await new Browser(app).post(`/c/${slug}/sign`, signFields(app, { email: spellings[0] }));
    const firstMails = await queuedConfirmations(app, { petitionId });
    expect(firstMails).toHaveLength(1);
    const firstRow = (await signaturesOf(db, petitionId))[0]!;

    // Within two minutes: the same answer, no second row, no second mail, the first links unchanged.
    const again = await new Browser(app).post(`/c/${slug}/sign`, signFields(app, { email: spellings[1] }));
    const againJson = await postJson(app, `/c/${slug}/sign`, signFields(app, { email: spellings[2] }));
    const other = await postJson(app, `/c/${slug}/sign`, signFields(app));
    for (const response of [first, again]) {
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe(`/c/${slug}/signed`);
      expect(response.body).toBe(first.body);
    }
    expect(againJson.statusCode).toBe(202);
    expect(againJson.body).toBe(other.body);
    let rows = await signaturesOf(db, petitionId);
    expect(rows).toHaveLength(2);
    expect(rows[0]!.dedup_key).toBe(firstRow.dedup_key);
    expect(rows[0]!.confirm_token_hash).toBe(firstRow.confirm_token_hash);
    expect(await queuedConfirmations(app, { petitionId })).toHaveLength(2);

    // Eleven minutes on, signing again re-sends once: the new confirmation link replaces the old one, the withdraw link stays.
    await db
      .updateTable('signatures')
      .set({ last_mailed_at: new Date(Date.now() - 11 * 60 * 1000).toISOString() })
      .where('id', '=', firstRow.id)
      .execute();
    const later = await new Browser(app).post(`/c/${slug}/sign`, signFields(app, { email: spellings[3] }));
    expect(later.statusCode).toBe(303);
    expect(later.body).toBe(first.body);
    const laterAgain = await new Browser(app).post(`/c/${slug}/sign`, signFields(app, { email: spellings[0] }));
    expect(laterAgain.statusCode).toBe(303);
    const mails = (await queuedConfirmations(app, { petitionId })).filter((m) => spellings.includes(m.to));
    expect(mails.map((m) => m.to)).toEqual([spellings[0], spellings[3]]);
    rows = await signaturesOf(db, petitionId);
    expect(rows).toHaveLength(2);
    expect(rows[0]!.confirm_token_hash).not.toBe(firstRow.confirm_token_hash);
    // The sealed record is still the first one: signing again does not overwrite who signed.
    expect(Buffer.from(rows[0]!.sealed).equals(Buffer.from(firstRow.sealed))).toBe(true);

    const browser = new Browser(app);
    expect((await browser.get(`/confirm/${mails[0]!.confirmToken}`)).statusCode).toBe(404);
    expect((await browser.post(`/confirm/${mails[0]!.confirmToken}`, {})).statusCode).toBe(404);
    expect((await browser.get(`/withdraw/${mails[0]!.withdrawToken}`)).statusCode).toBe(200);
    expect((await browser.get(`/confirm/${mails[1]!.confirmToken}`)).statusCode).toBe(200);
    expect((await browser.post(`/confirm/${mails[1]!.confirmToken}`, {})).statusCode).toBe(200);
    expect((await signaturesOf(db, petitionId))[0]!.status).toBe('confirmed');

    // Once confirmed, signing again mails nothing (there is nothing left to confirm), and still answers the same.
    await db
      .updateTable('signatures')
      .set({ last_mailed_at: new Date(Date.now() - 11 * 60 * 1000).toISOString() })
      .where('id', '=', firstRow.id)
      .execute();
    const afterConfirm = await new Browser(app).post(`/c/${slug}/sign`, signFields(app, { email: spellings[1] }));
    expect(afterConfirm.statusCode).toBe(303);
    expect(afterConfirm.body).toBe(first.body);
    expect((await queuedConfirmations(app, { petitionId })).filter((m) => spellings.includes(m.to))).toHaveLength(2);
  });

  /** Signs with `fields` as if at `at`: signing's clock, which the re-send limit goes by, is moved for this one request. */
  async function signAt(slug: string, fields: Record<string, string | undefined>, at: Date): Promise<void> {
    const signing = ctx().app.signing;
    const clock = signing.now;
    signing.now = () => at;
    try {
      expect((await new Browser(ctx().app).post(`/c/${slug}/sign`, fields)).statusCode).toBe(303);
    } finally {
      signing.now = clock;
    }
  }

  it('re-sends at once to a pending address that signs again, at most one mail every two minutes, as the signed page says', async () => {
    const { app } = ctx();
    const { slug, petitionId } = await openPetition();
    const fields = signFields(app);
    // Mail times are stored to the minute, rounded up: starting on a minute's boundary, the limit is exactly two minutes.
    const start = Math.ceil(Date.now() / 60_000) * 60_000;
    const at = (ms: number) => new Date(start + ms);
    const mailed = async () => (await queuedConfirmations(app, { petitionId })).filter((m) => m.to === fields['email']).length;

    await signAt(slug, fields, at(0));
    expect(await mailed()).toBe(1);
    // Within two minutes of the last mail, signing again sends nothing: someone else may be typing this address.
    await signAt(slug, fields, at(1000));
    await signAt(slug, fields, at(RESEND_AFTER_MS - 1000));
    expect(await mailed()).toBe(1);
    // Once they have passed, the next signing sends a new mail at once; the two minutes then run from the end of the
    // minute that mail went in (never less than two minutes, at most three).
    await signAt(slug, fields, at(RESEND_AFTER_MS + 1000));
    expect(await mailed()).toBe(2);
    await signAt(slug, fields, at(2 * RESEND_AFTER_MS + 2000));
    expect(await mailed()).toBe(2);
    // The second mail went at 2:01, in the minute that ends at 3:00: the next may go after 5:00.
    await signAt(slug, fields, at(3 * 60_000 + RESEND_AFTER_MS + 1000));
    expect(await mailed()).toBe(3);

    // The page after signing says exactly that, in each language.
    expect(RESEND_AFTER_MS).toBe(2 * 60 * 1000);
    const page = await new Browser(app).get(`/c/${slug}/signed`);
    expect(page.body).toContain('sign again with the same address: we send a new message, at most one every two minutes.');
    expect(page.body).not.toContain('Nothing arrived after a few minutes?');
    const russian = await new Browser(app).get(`/c/${slug}/signed?lang=ru`);
    expect(russian.body).toContain('не чаще одного раза в две минуты');
  });

  it('keeps the withdraw link already mailed working when a pending signature is mailed again', async () => {
    const { db, app } = ctx();
    const { slug, petitionId } = await openPetition();
    const fields = signFields(app);
    const start = Math.ceil(Date.now() / 60_000) * 60_000;
    const mailsTo = async () => (await queuedConfirmations(app, { petitionId })).filter((m) => m.to === fields['email']);

    await signAt(slug, fields, new Date(start));
    const [first] = await mailsTo();
    const firstRow = (await signaturesOf(db, petitionId))[0]!;
    await signAt(slug, fields, new Date(start + RESEND_AFTER_MS + 1000));
    const [, second] = await mailsTo();
    expect(second).toBeDefined();
    // A new confirmation link, but the same withdraw link: its hash in the row is never replaced.
    expect(second!.confirmToken).not.toBe(first!.confirmToken);
    expect(second!.withdrawToken).toBe(first!.withdrawToken);
    expect((await signaturesOf(db, petitionId))[0]!.withdraw_token_hash).toBe(firstRow.withdraw_token_hash);

    const browser = new Browser(app);
    expect((await browser.get(`/withdraw/${first!.withdrawToken}`)).body).toContain('Withdraw my signature');
    const done = await browser.post(`/withdraw/${first!.withdrawToken}`, {});
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('Your signature has been withdrawn and your details erased.');

    // The link is not derived from the address: signing again after withdrawing makes a new signature with a withdraw
    // link of its own, and nothing left in the withdrawn row matches the new one.
    await signAt(slug, fields, new Date(start + 2 * RESEND_AFTER_MS + 2000));
    const rows = await signaturesOf(db, petitionId);
    expect(rows.map((r) => r.status)).toEqual(['withdrawn', 'pending']);
    const third = (await mailsTo()).at(-1)!;
    expect(third.withdrawToken.split('.')[1]).not.toBe(first!.withdrawToken.split('.')[1]);
    expect(rows[1]!.withdraw_token_hash).not.toBe(rows[0]!.withdraw_token_hash);
  });

  it('mails an address nobody has confirmed yet without the name typed in the form, and queues no name', async () => {
    const { app, db, database } = ctx();
    const { slug, petitionId } = await openPetition();
    const sent: OutgoingMail[] = [];
    const mailer = { send: async (mail: OutgoingMail) => void sent.push(mail), close: () => {} };
    const worker: JobContext = { database, db, config: app.deps.config, mailer, dataKey: app.deps.keys.dataKey, logger: app.deps.logger };
    // Anyone can sign with someone else's address: a name is attacker-chosen text, and a link in it would read as ours.
    const names: [string, Locale][] = [
      ['https://evil.example/reset Your account is locked', 'en'],
      ['<a href="https://evil.example">Bank</a> support', 'ru'],
      ['www.evil.example/verify', 'en'],
    ];
    for (const [name, locale] of names) {
      const browser = new Browser(app);
      // The page's form posts to its own language's address (no cookie remembers it: shared caches keep the page).
      expect((await browser.get(`/c/${slug}?lang=${locale}`)).body).toContain(`action="/c/${slug}/sign?lang=${locale}"`);
      const fields = signFields(app, { name });
      expect((await browser.post(`/c/${slug}/sign?lang=${locale}`, fields)).statusCode).toBe(303);
      const mail = (await queuedConfirmations(app, { petitionId })).find((m) => m.to === fields['email'])!;
      expect(mail.locale).toBe(locale);
      expect(mail).not.toHaveProperty('name');
      await confirmationMail.run(worker, mail, { id: mail.jobId, kind: confirmationMail.kind, payload: '', attempts: 0 });
      const { subject, text } = sent.at(-1)!;
      for (const part of [name, name.split(' ')[0]!, 'evil.example']) expect(`${subject}\n${text}`).not.toContain(part);
      expect(text.split('\n')[0]).toBe(locale === 'ru' ? 'Здравствуйте!' : 'Hello,');
      expect(text).toContain(`/confirm/${mail.confirmToken}`);
    }
  });

  it('says when a count without signatures last changed: the petition, not 1970', async () => {
    const { db, app } = ctx();
    const { slug, petitionId } = await openPetition();
    const petition = await db.selectFrom('petitions').select('updated_at').where('id', '=', petitionId).executeTakeFirstOrThrow();
    const { body } = await countJson(app, slug);
    expect(body.signatures).toBe(0);
    expect(body.updatedAt).toBe(petition.updated_at);
  });

  it('confirms only on POST, idempotently; counts confirmed signatures in count.json and on the page', async () => {
    const { db, app } = ctx();
    const { slug, petitionId, goal } = await openPetition();
    const browser = new Browser(app);
    const fields = signFields(app);
    await browser.post(`/c/${slug}/sign`, fields);
    const [mail] = await queuedConfirmations(app, { petitionId });

    // The link in the mail shows a button and changes nothing (mail scanners follow links).
    const ask = await browser.get(`/confirm/${mail!.confirmToken}`);
    expect(ask.statusCode).toBe(200);
    expect(ask.headers['cache-control']).toBe('no-store');
    expect(ask.body).toContain(`<form method="post" action="/confirm/${mail!.confirmToken}"`);
    expect(ask.body).toContain('Confirm my signature');
    expect((await signaturesOf(db, petitionId))[0]!.status).toBe('pending');
    expect(await db.selectFrom('count_events').selectAll().where('petition_id', '=', petitionId).execute()).toEqual([]);

    // A confirmation needs the page's CSRF token like any form.
    expect((await browser.post(`/confirm/${mail!.confirmToken}`, {}, { csrf: false })).statusCode).toBe(403);
    const done = await browser.post(`/confirm/${mail!.confirmToken}`, {});
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('Thank you: your signature is confirmed.');
    expect(done.body).toContain(`href="/c/${slug}"`);
    const row = (await signaturesOf(db, petitionId))[0]!;
    expect(row.status).toBe('confirmed');
    expect(row.confirmed_at).not.toBeNull();
    const again = await browser.post(`/confirm/${mail!.confirmToken}`, {});
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain('Your signature was already confirmed.');
    expect((await browser.get(`/confirm/${mail!.confirmToken}`)).body).toContain('Your signature was already confirmed.');
    expect(await db.selectFrom('count_events').selectAll().where('petition_id', '=', petitionId).execute()).toHaveLength(1);

    await settleCounts();
    const { response, body } = await countJson(app, slug);
    expect(response.statusCode).toBe(200);
    expect(body).toMatchObject({ slug, signatures: 1, goal });
    expect(Number.isNaN(Date.parse(body.updatedAt))).toBe(false);
    const cacheControl = String(response.headers['cache-control']);
    expect(cacheControl).toContain('public');
    const maxAge = Number(/max-age=(\d+)/.exec(cacheControl)?.[1]);
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge).toBeLessThanOrEqual(10);
    const page = await browser.get(`/c/${slug}`);
    expect(page.body).toContain('<span class="count-number" data-count="1">1</span> person has signed');
  });

  it('refuses an expired confirmation link with a 404 page', async () => {
    const { db, app } = ctx();
    const { slug, petitionId } = await openPetition();
    const browser = new Browser(app);
    await browser.post(`/c/${slug}/sign`, signFields(app));
    const [mail] = await queuedConfirmations(app, { petitionId });
    await db
      .updateTable('signatures')
      .set({ token_expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('petition_id', '=', petitionId)
      .execute();
    const page = await browser.get(`/confirm/${mail!.confirmToken}`);
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('This confirmation link is not valid or has expired.');
    expect((await browser.post(`/confirm/${mail!.confirmToken}`, {})).statusCode).toBe(404);
    expect((await signaturesOf(db, petitionId))[0]!.status).toBe('pending');
    // Made-up and malformed tokens are the same 404.
    for (const token of ['A'.repeat(43), 'short', `${'%00'.repeat(3)}x`]) expect((await browser.get(`/confirm/${token}`)).statusCode).toBe(404);
  });

  it('withdraws on POST: the count goes back down, the sealed data is erased and the dedup key forgotten', async () => {
    const { db, app } = ctx();
    const { slug, petitionId } = await openPetition();
    const { browser, fields } = await signAndConfirm(slug, petitionId, { show_name: '1' });
    await settleCounts();
    expect((await countJson(app, slug)).body.signatures).toBe(1);
    const mail = (await queuedConfirmations(app, { petitionId }))[0]!;

    const ask = await browser.get(`/withdraw/${mail.withdrawToken}`);
    expect(ask.statusCode).toBe(200);
    expect(ask.body).toContain('Withdraw my signature');
    expect((await signaturesOf(db, petitionId))[0]!.status).toBe('confirmed');
    const done = await browser.post(`/withdraw/${mail.withdrawToken}`, {});
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('Your signature has been withdrawn and your details erased.');
    const row = (await signaturesOf(db, petitionId))[0]!;
    expect(row).toMatchObject({ status: 'withdrawn', dedup_key: null, public_name: null, confirm_token_hash: null });
    expect(Buffer.from(row.sealed).length).toBe(0);
    expect(row.withdrawn_at).not.toBeNull();
    expect((await browser.post(`/withdraw/${mail.withdrawToken}`, {})).body).toContain('This signature was already withdrawn.');
    await settleCounts();
    expect((await countJson(app, slug)).body.signatures).toBe(0);
    // The confirmation link is dead, and the same address may sign again as a new signature.
    expect((await browser.post(`/confirm/${mail.confirmToken}`, {})).statusCode).toBe(404);
    expect((await new Browser(app).post(`/c/${slug}/sign`, signFields(app, { email: fields['email'] }))).statusCode).toBe(303);
    expect(await signaturesOf(db, petitionId)).toHaveLength(2);
  });

  it('never counts a signature confirmed after its petition closed: 410, the count unchanged', async () => {
    const { db, app } = ctx();
    const { slug, petitionId } = await openPetition();
    await signAndConfirm(slug, petitionId);
    const browser = new Browser(app);
    const fields = signFields(app);
    expect((await browser.post(`/c/${slug}/sign`, fields)).statusCode).toBe(303);
    const mail = (await queuedConfirmations(app, { petitionId })).find((m) => m.to === fields['email'])!;
    await settleCounts();
    expect((await countJson(app, slug)).body.signatures).toBe(1);

    await setPetitionOpen(db, { userId: null, id: petitionId, open: false });
    const page = await browser.get(`/confirm/${mail.confirmToken}`);
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('This petition closed before your signature was confirmed');
    const confirm = await browser.post(`/confirm/${mail.confirmToken}`, {});
    expect(confirm.statusCode).toBe(410);
    await settleCounts();
    expect((await countJson(app, slug)).body.signatures).toBe(1);
    expect((await signaturesOf(db, petitionId)).map((r) => r.status).sort()).toEqual(['confirmed', 'pending']);
  });

  it('refuses signatures on a closed petition with a clear 410, and closing deletes the dedup keys', async () => {
    const { db, app } = ctx();
    const { slug, petitionId } = await openPetition();
    await signAndConfirm(slug, petitionId);
    await new Browser(app).post(`/c/${slug}/sign`, signFields(app));
    expect((await signaturesOf(db, petitionId)).every((r) => r.dedup_key !== null)).toBe(true);
    const before = await new Browser(app).get(`/c/${slug}`);
    expect(before.body).toContain(`action="/c/${slug}/sign?lang=en"`);

    await setPetitionOpen(db, { userId: null, id: petitionId, open: false });
    const rows = await signaturesOf(db, petitionId);
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.dedup_key === null)).toBe(true);

    const form = await new Browser(app).post(`/c/${slug}/sign`, signFields(app));
    expect(form.statusCode).toBe(410);
    expect(form.headers['content-type']).toContain('text/html');
    expect(form.body).toContain('This petition is closed and no longer takes signatures.');
    const json = await postJson(app, `/c/${slug}/sign`, signFields(app));
    expect(json.statusCode).toBe(410);
    expect(json.json()).toEqual({ error: { code: 'gone', message: 'This petition is closed and no longer takes signatures.' } });
    // Even an invalid form gets the closed answer, not a form to correct.
    expect((await new Browser(app).post(`/c/${slug}/sign`, signFields(app, { email: 'bad' }))).statusCode).toBe(410);
    expect(await signaturesOf(db, petitionId)).toHaveLength(2);
    // The page says so at once, without a form.
    const after = await new Browser(app).get(`/c/${slug}`);
    expect(after.body).toContain('This petition is closed. Thank you to everyone who signed.');
    expect(after.body).not.toContain(`action="/c/${slug}/sign`);
  });

  it('refuses signing with a 503 while the kill switch is on, storing nothing', async () => {
    const { db, app } = ctx();
    const { slug, petitionId } = await openPetition();
    await setSwitch(db, 'signingPaused', true);
    app.switches.invalidate();
    try {
      const form = await new Browser(app).post(`/c/${slug}/sign`, signFields(app));
      expect(form.statusCode).toBe(503);
      expect(form.headers['content-type']).toContain('text/html');
      expect(form.body).toContain('Signing is paused for a moment. Please try again in a few minutes.');
      const json = await postJson(app, `/c/${slug}/sign`, signFields(app));
      expect(json.statusCode).toBe(503);
      expect(json.json()).toEqual({ error: { code: 'unavailable', message: 'Signing is paused for a moment. Please try again later.' } });
      expect(await signaturesOf(db, petitionId)).toEqual([]);
      expect(await queuedConfirmations(app, { petitionId })).toEqual([]);
    } finally {
      await setSwitch(db, 'signingPaused', false);
      app.switches.invalidate();
    }
    expect((await new Browser(app).post(`/c/${slug}/sign`, signFields(app))).statusCode).toBe(303);
  });

  it('answers a filled honeypot like a signature but stores and mails nothing', async () => {
    const { db, app } = ctx();
    const { slug, petitionId } = await openPetition();
    const real = await new Browser(app).post(`/c/${slug}/sign`, signFields(app));
    const bot = await new Browser(app).post(`/c/${slug}/sign`, signFields(app, { website: 'https://spam.example' }));
    expect(bot.statusCode).toBe(303);
    expect(bot.headers.location).toBe(real.headers.location);
    expect(bot.body).toBe(real.body);
    const botJson = await postJson(app, `/c/${slug}/sign`, { ...signFields(app), website: 'x' });
    expect(botJson.statusCode).toBe(202);
    expect(botJson.json()).toEqual({ status: 'pending' });
    expect(await signaturesOf(db, petitionId)).toHaveLength(1);
    expect(await queuedConfirmations(app, { petitionId })).toHaveLength(1);
  });

  it('sets aside stampless and forged forms, and two weak signals together, silently, and never counts them', async () => {
    const { db, app } = ctx();
    const { slug, petitionId } = await openPetition();
    const tooFast = () => issueFormStamp(app.deps.keys.formStamp);
    const throwaway = () => `throwaway-${uniqueSuffix()}@mailinator.com`;
    const cases: [Record<string, string | undefined>, string][] = [
      [{ ts: undefined }, 'stamp:missing'],
      [{ ts: `${Date.now() - 5000}.${'A'.repeat(43)}` }, 'stamp:forged'],
      [{ ts: tooFast(), email: throwaway() }, 'stamp:too-fast,disposable-domain'],
    ];
    for (const [overrides] of cases) await signAndConfirm(slug, petitionId, { ...overrides, show_name: '1' });
    const rows = await signaturesOf(db, petitionId);
    expect(rows.map((r) => [r.status, r.suspect, r.suspect_reason])).toEqual(cases.map(([, reason]) => ['confirmed', 1, reason]));
    await settleCounts();
    expect((await countJson(app, slug)).body.signatures).toBe(0);
    await recountSignatures(ctx().database);
    await app.countBoard.refresh();
    expect((await countJson(app, slug)).body.signatures).toBe(0);
    // Suspect signers are not shown among recent signers either.
    expect((await new Browser(app).get(`/c/${slug}`)).body).not.toContain('Recent signers');
    // One good signature counts.
    await signAndConfirm(slug, petitionId);
    await settleCounts();
    expect((await countJson(app, slug)).body.signatures).toBe(1);
  });

  it('lets the form stamp of one page sign once: a scraped stamp sent again sets the next signature aside', async () => {
    const { db, app } = ctx();
    const { slug, petitionId } = await openPetition();
    const stamp = issueFormStamp(app.deps.keys.formStamp, Date.now() - 5000);
    await signAndConfirm(slug, petitionId, { ts: stamp });
    await signAndConfirm(slug, petitionId, { ts: stamp });
    const rows = await signaturesOf(db, petitionId);
    expect(rows.map((r) => [r.suspect, r.suspect_reason])).toEqual([
      [0, null],
      [1, 'stamp:reused'],
    ]);
  });

  it("lets the cached page's shared stamp sign once per client: everyone who got the same copy counts", async () => {
    const { db, app } = ctx();
    const { slug, petitionId } = await openPetition();
    const page = await new Browser(app).get(`/c/${slug}`);
    expect(/name="ts" value="([^"]+)"/.exec(page.body)?.[1]).toMatch(/^\d{13}\.[A-Za-z0-9_-]{12}\.shared\.[A-Za-z0-9_-]{43}$/);
    // The same kind of stamp, issued five seconds ago (a person's pace), sent by three people and by one of them again.
    const stamp = new SharedFormStamp(app.deps.keys.formStamp).stamp(Date.now() - 5000);
    const { browser } = await signAndConfirm(slug, petitionId, { ts: stamp });
    await signAndConfirm(slug, petitionId, { ts: stamp });
    await signAndConfirm(slug, petitionId, { ts: stamp });
    expect((await browser.post(`/c/${slug}/sign`, signFields(app, { ts: stamp }))).statusCode).toBe(303);
    const rows = await signaturesOf(db, petitionId);
    expect(rows.map((r) => [r.suspect, r.suspect_reason])).toEqual([
      [0, null],
      [0, null],
      [0, null],
      [1, 'stamp:reused'],
    ]);
  });

  it("gives the page's script a stamp of the visitor's own (spent once, as the test above shows), never cached", async () => {
    const { app } = ctx();
    const { slug } = await openPetition();
    const response = await new Browser(app).get(`/c/${slug}/form-stamp`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['set-cookie']).toBeUndefined();
    const { stamp } = response.json<{ stamp: string }>();
    expect(stamp).toMatch(/^\d{13}\.[A-Za-z0-9_-]{12}\.[A-Za-z0-9_-]{43}$/);
    expect((await new Browser(app).get('/c/no-such-campaign/form-stamp')).statusCode).toBe(404);
  });

  it('counts a confirmed signer with one weak signal: autofill in under three seconds, or a disposable mail domain', async () => {
    const { db, app } = ctx();
    const { slug, petitionId } = await openPetition();
    await signAndConfirm(slug, petitionId, { ts: issueFormStamp(app.deps.keys.formStamp) });
    await signAndConfirm(slug, petitionId, { email: `throwaway-${uniqueSuffix()}@mailinator.com` });
    const rows = await signaturesOf(db, petitionId);
    expect(rows.map((r) => [r.status, r.suspect, r.suspect_reason])).toEqual([
      ['confirmed', 0, null],
      ['confirmed', 0, null],
    ]);
    await settleCounts();
    expect((await countJson(app, slug)).body.signatures).toBe(2);
  });

  it('counts a confirmed JSON signature, which has no form stamp; with a second weak signal it is set aside', async () => {
    const { db, app } = ctx();
    const { slug, petitionId } = await openPetition();
    const confirmJson = async (fields: Record<string, string | undefined>) => {
      expect((await postJson(app, `/c/${slug}/sign`, { ...fields, ts: undefined, consent: true })).statusCode).toBe(202);
      const mail = (await queuedConfirmations(app, { petitionId })).find((m) => m.to === fields['email'])!;
      expect((await new Browser(app).post(`/confirm/${mail.confirmToken}`, {})).statusCode).toBe(200);
    };
    await confirmJson(signFields(app));
    await confirmJson(signFields(app, { email: `throwaway-${uniqueSuffix()}@mailinator.com` }));
    const rows = await signaturesOf(db, petitionId);
    expect(rows.map((r) => [r.status, r.suspect, r.suspect_reason])).toEqual([
      ['confirmed', 0, null],
      ['confirmed', 1, 'stamp:missing,disposable-domain'],
    ]);
    await settleCounts();
    expect((await countJson(app, slug)).body.signatures).toBe(1);
  });

  it('marks a burst from one client suspect after ten, and refuses the 61st quick submission with a 429', async () => {
    const { db, app } = ctx();
    const { slug, petitionId } = await openPetition();
    const browser = new Browser(app);
    await browser.get(`/c/${slug}`);
    const responses = await Promise.all(Array.from({ length: 61 }, () => browser.post(`/c/${slug}/sign`, signFields(app))));
    const statuses = responses.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 303)).toHaveLength(60);
    const refused = responses.filter((r) => r.statusCode === 429);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.headers['retry-after']).toBeDefined();
    expect(refused[0]!.body).toContain('Too many');
    const rows = await signaturesOf(db, petitionId);
    expect(rows).toHaveLength(60);
    expect(rows.filter((r) => r.suspect === 0)).toHaveLength(10);
    expect(rows.filter((r) => r.suspect === 1).every((r) => r.suspect_reason === 'rate')).toBe(true);
    // JSON from the same address is refused too; another client is not.
    expect((await postJson(app, `/c/${slug}/sign`, signFields(app), { remoteAddress: browser.remoteAddress })).statusCode).toBe(429);
    expect((await new Browser(app).post(`/c/${slug}/sign`, signFields(app))).statusCode).toBe(303);
  });

  it('refuses oversized, wrongly typed and misaddressed requests', async () => {
    const { db, app } = ctx();
    const { slug, petitionId } = await openPetition();
    const big = await postJson(app, `/c/${slug}/sign`, { ...signFields(app), name: 'x'.repeat(17 * 1024) });
    expect(big.statusCode).toBe(413);
    const bigForm = await new Browser(app).post(`/c/${slug}/sign`, signFields(app, { postcode: 'y'.repeat(17 * 1024) }));
    expect(bigForm.statusCode).toBe(413);
    const plain = await app.inject({ method: 'POST', url: `/c/${slug}/sign`, headers: { 'content-type': 'text/plain' }, payload: 'name=x&email=y' });
    expect(plain.statusCode).toBe(415);
    const broken = await postJson(app, `/c/${slug}/sign`, '{"name":');
    expect(broken.statusCode).toBe(400);
    const array = await postJson(app, `/c/${slug}/sign`, [signFields(app)]);
    expect(array.statusCode).toBe(400);

    for (const url of ['/c/no-such-campaign-here/sign', '/c/UPPER_case!/sign']) {
      expect((await new Browser(app).post(url, signFields(app))).statusCode).toBe(404);
      expect((await postJson(app, url, signFields(app))).statusCode).toBe(404);
    }
    const draft = await openPetition({ status: 'draft' });
    expect((await new Browser(app).post(`/c/${draft.slug}/sign`, signFields(app))).statusCode).toBe(404);
    expect((await postJson(app, `/c/${draft.slug}/sign`, signFields(app))).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: `/c/${draft.slug}/count.json` })).statusCode).toBe(404);
    // A petition id of another campaign is not signable through this one.
    expect((await postJson(app, `/c/${slug}/sign`, { ...signFields(app), petition: String(draft.petitionId) })).statusCode).toBe(404);

    expect(await signaturesOf(db, petitionId)).toEqual([]);
    expect(await signaturesOf(db, draft.petitionId)).toEqual([]);
  });

  it('records each milestone once, queues one organiser mail per milestone, and lists them on the page', async () => {
    const { db, app } = ctx();
    const { slug, petitionId } = await openPetition({ milestones: [1, 2] });
    await signAndConfirm(slug, petitionId);
    await signAndConfirm(slug, petitionId);
    await settleCounts();
    // Someone looks at the page before the worker gets round to the milestones.
    const early = await new Browser(app).get(`/c/${slug}`);
    expect(early.body).toContain('data-count="2">2</span> people have signed');

    expect(await recordReachedMilestones(db, app.deps.keys.dataKey)).toBe(2);
    expect(await recordReachedMilestones(db, app.deps.keys.dataKey)).toBe(0);
    const reached = await db.selectFrom('milestones_reached').select('milestone').where('petition_id', '=', petitionId).orderBy('milestone').execute();
    expect(reached.map((r) => r.milestone)).toEqual([1, 2]);
    const jobs = await db.selectFrom('jobs').select('payload').where('kind', '=', 'milestone-mail').execute();
    const payloads = jobs.map(
      (j) => JSON.parse(decryptForServer(app.deps.keys.dataKey, j.payload)) as { petitionId: number; milestone: number; total: number },
    );
    expect(
      payloads
        .filter((p) => p.petitionId === petitionId)
        .map((p) => p.milestone)
        .sort(),
    ).toEqual([1, 2]);

    const page = await new Browser(app).get(`/c/${slug}`);
    expect(page.body).toContain('Milestones reached');
    expect(page.body).toContain('2 signatures on');
  });

  it('repairs drifted counts with the recount', async () => {
    const { db, app, database } = ctx();
    const { slug, petitionId } = await openPetition();
    await signAndConfirm(slug, petitionId, { country: 'FR' });
    await signAndConfirm(slug, petitionId, { country: 'FR' });
    await signAndConfirm(slug, petitionId, { country: 'DE' });
    await signAndConfirm(slug, petitionId, { country: 'DE', ts: undefined }); // suspect: not counted
    await new Browser(app).post(`/c/${slug}/sign`, signFields(app, { country: 'IT' })); // pending: not counted
    await foldCountEvents(database);

    await db.updateTable('signature_counts').set({ count: 999 }).where('petition_id', '=', petitionId).where('country', '=', 'FR').execute();
    await db.deleteFrom('signature_counts').where('petition_id', '=', petitionId).where('country', '=', 'DE').execute();
    await db.insertInto('signature_counts').values({ petition_id: petitionId, country: 'ES', count: 5 }).execute();
    await db.insertInto('count_events').values({ petition_id: petitionId, country: 'FR', delta: 7, created_at: new Date().toISOString() }).execute();
    const counted = async () =>
      Object.fromEntries((await readCounts(db)).filter((c) => c.petitionId === petitionId && c.count !== 0).map((c) => [c.country, c.count]));
    expect(await counted()).not.toEqual({ FR: 2, DE: 1 });

    await recountSignatures(database);
    expect(await counted()).toEqual({ FR: 2, DE: 1 });
    await app.countBoard.refresh();
    expect((await countJson(app, slug)).body.signatures).toBe(3);
  });
});
