/**
 * A partner organisation's own account, through HTTP on both databases: it reads, downloads, answers and deletes the
 * requests for help sent to its organisation and nothing else. Every other submission answers exactly as a missing
 * one; every other admin page is closed to it; unlinked, it sees nothing; on a production site it needs a second factor.
 */
import type { LightMyRequestResponse } from 'fastify';
import { expect, it } from 'vitest';
import { describeEachDialect, type TestContext } from '../../../test/helpers/app.ts';
import { loggedIn } from '../../../test/helpers/factories.ts';
import { expectValidHtml } from '../../../test/helpers/html.ts';
import { addReader, codenameIn, loggedInPartner, openAs, postForm, type TestReader } from '../../../test/helpers/intake.ts';
import type { Database } from '../../db/database.ts';
import { listAuditEntries } from '../audit/index.ts';

interface Sent {
  submissionId: number;
  messageId: number;
}

async function send(ctx: TestContext, fields: Array<[string, string]>): Promise<Sent> {
  const response = await postForm(ctx.app, '/speak', [...fields, ['message', 'please read this']]);
  codenameIn(response);
  const row = await ctx.db.selectFrom('intake_messages').select(['id', 'submission_id']).orderBy('id', 'desc').executeTakeFirstOrThrow();
  return { submissionId: Number(row.submission_id), messageId: Number(row.id) };
}

/** A reviewer, two partners, and one testimony and one request for help to each partner. */
async function inboxOfThree(ctx: TestContext) {
  await addReader(ctx.db, 'reviewer', 'Staff Reviewer');
  const route = await addReader(ctx.db, 'partner', `Safe Route ${ctx.dialect}`);
  const other = await addReader(ctx.db, 'partner', `Other Route ${ctx.dialect}`);
  const testimony = await send(ctx, [['kind', 'testimony']]);
  const forRoute = await send(ctx, [
    ['kind', 'help'],
    ['partner', String(route.id)],
  ]);
  const forOther = await send(ctx, [
    ['kind', 'help'],
    ['partner', String(other.id)],
  ]);
  return { route, other, testimony, forRoute, forOther };
}

async function stillThere(db: Database, submissionId: number): Promise<boolean> {
  return (await db.selectFrom('intake_submissions').select('id').where('id', '=', submissionId).executeTakeFirst()) !== undefined;
}

/**
 * The answer about a submission outside the partner's scope is the answer about one that never existed, byte for byte
 * but for its address (the page's language links repeat it).
 */
function expectSameAsMissing(response: LightMyRequestResponse, id: number, missing: LightMyRequestResponse, missingId: number): void {
  expect(response.statusCode).toBe(404);
  expect(response.headers['content-type']).toBe(missing.headers['content-type']);
  expect(response.body.replaceAll(`/${id}`, '/ID')).toBe(missing.body.replaceAll(`/${missingId}`, '/ID'));
}

async function replyCopy(db: Database, submissionId: number, reader: TestReader): Promise<string> {
  const reply = await db
    .selectFrom('intake_messages')
    .select('id')
    .where('submission_id', '=', submissionId)
    .where('author', '=', 'reviewer')
    .executeTakeFirstOrThrow();
  const chunks = await db.selectFrom('intake_chunks').select('data').where('message_id', '=', reply.id).orderBy('seq').execute();
  return (await openAs(reader, Buffer.concat(chunks.map((c) => Buffer.from(c.data))))).text ?? '';
}

describeEachDialect('intake: partner organisations’ own accounts', (ctx) => {
  it('lets a partner read, download, answer and delete its own requests for help, and nothing else', async () => {
    const { app, db } = ctx();
    const { route, other, testimony, forRoute, forOther } = await inboxOfThree(ctx());
    const { browser, user } = await loggedInPartner(app, db, route.id);

    const home = await browser.get('/admin');
    expect(home.statusCode).toBe(303);
    expect(home.headers.location).toBe('/admin/intake');
    const inbox = await browser.get('/admin/intake');
    await expectValidHtml('partner inbox', inbox);
    await expectValidHtml('partner inbox (ru)', await browser.get('/admin/intake?lang=ru'));
    await browser.get('/admin/intake?lang=en');
    expect(inbox.body).toContain(`This is the inbox of Safe Route ${ctx().dialect}`);
    expect(inbox.body).toContain(`href="/admin/intake/submissions/${forRoute.submissionId}"`);
    for (const hidden of [testimony, forOther]) expect(inbox.body).not.toContain(`/admin/intake/submissions/${hidden.submissionId}"`);
    expect(inbox.body).not.toContain('Other Route');
    const nav = /<nav class="admin-nav"[\s\S]*?<\/nav>/.exec(inbox.body)![0];
    expect([...nav.matchAll(/href="([^"]+)"/g)].map((m) => m[1]).sort()).toEqual(['/admin/intake', '/admin/security']);
    expect(nav).toContain('(partner organisation)');

    const page = await browser.get(`/admin/intake/submissions/${forRoute.submissionId}`);
    await expectValidHtml('partner submission', page);
    const download = await browser.get(`/admin/intake/messages/${forRoute.messageId}.pgp`);
    expect(download.statusCode).toBe(200);
    expect((await openAs(route, download.rawPayload)).text).toContain('please read this');

    const missingId = forOther.submissionId + 1000;
    const missingMessageId = forOther.messageId + 1000;
    const missingPage = await browser.get(`/admin/intake/submissions/${missingId}`);
    const missingMessage = await browser.get(`/admin/intake/messages/${missingMessageId}.pgp`);
    const missingReply = await browser.post(`/admin/intake/submissions/${missingId}/reply`, { reply: 'hello' });
    const missingDelete = await browser.post(`/admin/intake/submissions/${missingId}/delete`, {});
    for (const hidden of [testimony, forOther]) {
      const { submissionId: id, messageId } = hidden;
      expectSameAsMissing(await browser.get(`/admin/intake/submissions/${id}`), id, missingPage, missingId);
      expectSameAsMissing(await browser.get(`/admin/intake/messages/${messageId}.pgp`), messageId, missingMessage, missingMessageId);
      expectSameAsMissing(await browser.post(`/admin/intake/submissions/${id}/reply`, { reply: 'hello' }), id, missingReply, missingId);
      expectSameAsMissing(await browser.post(`/admin/intake/submissions/${id}/delete`, {}), id, missingDelete, missingId);
      expect(await stillThere(db, hidden.submissionId)).toBe(true);
      expect(
        await db.selectFrom('intake_messages').select('id').where('submission_id', '=', hidden.submissionId).where('author', '=', 'reviewer').execute(),
      ).toEqual([]);
    }

    // The staff copy of a reply to a request for help is encrypted to the partner alone, so its author can read it back.
    const replied = await browser.post(`/admin/intake/submissions/${forRoute.submissionId}/reply`, { reply: 'We can get you out.' });
    expect(replied.statusCode, replied.body.slice(0, 800)).toBe(303);
    expect(await replyCopy(db, forRoute.submissionId, route)).toContain('We can get you out.');
    await expect(replyCopy(db, forRoute.submissionId, other)).rejects.toThrow();
    expect((await browser.post(`/admin/intake/submissions/${forRoute.submissionId}/delete`, {})).headers.location).toBe('/admin/intake?done=deleted');
    expect(await stillThere(db, forRoute.submissionId)).toBe(false);

    const audited = (await listAuditEntries(db, { limit: 20 })).filter((e) => e.userEmail === user.email);
    expect(audited.map((e) => [e.action, e.entityId])).toEqual([
      ['intake.delete', String(forRoute.submissionId)],
      ['intake.reply', String(forRoute.submissionId)],
    ]);
  });

  it('closes every other organisers’ page to a partner, and leaves owners and editors the whole inbox', async () => {
    const { app, db } = ctx();
    const { route, testimony, forRoute, forOther } = await inboxOfThree(ctx());
    const { browser } = await loggedInPartner(app, db, route.id);
    const pages = ['/admin/campaigns/new', '/admin/campaigns/1', '/admin/audit', '/admin/switches', '/admin/intake/recipients', '/admin/mail'];
    for (const url of pages) expect((await browser.get(url)).statusCode, url).toBe(403);
    for (const url of ['/admin/campaigns', '/admin/switches', '/admin/intake/recipients', `/admin/intake/recipients/${route.id}/remove`]) {
      expect((await browser.post(url, {})).statusCode, url).toBe(403);
    }
    expect((await browser.get('/admin/security')).statusCode).toBe(200);

    for (const role of ['owner', 'editor'] as const) {
      const staff = (await loggedIn(app, db, role)).browser;
      const inbox = await staff.get('/admin/intake');
      for (const shown of [testimony, forRoute, forOther]) expect(inbox.body, role).toContain(`/admin/intake/submissions/${shown.submissionId}"`);
      expect(inbox.body).not.toContain('This is the inbox of');
      expect((await staff.get(`/admin/intake/messages/${forOther.messageId}.pgp`)).statusCode, role).toBe(200);
    }
  });

  it('shows an unlinked partner account an empty inbox that says an owner must link it', async () => {
    const { app, db } = ctx();
    const { route, forRoute } = await inboxOfThree(ctx());
    const { browser, user } = await loggedInPartner(app, db, route.id);
    const owner = (await loggedIn(app, db, 'owner')).browser;
    expect((await owner.post(`/admin/intake/recipients/${route.id}/remove`, {})).statusCode).toBe(303);
    const [removal] = await listAuditEntries(db, { limit: 1 });
    expect(removal).toMatchObject({ action: 'intake.recipient.remove', changes: { partnerAccounts: [[user.id], []] } });

    const inbox = await browser.get('/admin/intake');
    await expectValidHtml('unlinked inbox', inbox);
    expect(inbox.body).toContain('This account is not linked to a partner organisation, so it sees nothing here.');
    expect(inbox.body).toContain('outcry intake partner-account');
    expect(inbox.body).not.toContain('/admin/intake/submissions/');
    expect(inbox.body).not.toContain('Nothing has arrived.');
    expect((await browser.get('/admin/intake?lang=ru')).body).toContain('Эта учётная запись не связана ни с одной организацией-партнёром');
    expect((await browser.get(`/admin/intake/submissions/${forRoute.submissionId}`)).statusCode).toBe(404);
    expect((await browser.get(`/admin/intake/messages/${forRoute.messageId}.pgp`)).statusCode).toBe(404);
  });

  it("shows owners each partner's ID, its accounts and the command that makes one", async () => {
    const { app, db } = ctx();
    const reviewer = await addReader(db, 'reviewer', 'Listed Reviewer');
    const partner = await addReader(db, 'partner', 'Listed Route');
    await loggedInPartner(app, db, partner.id);
    await loggedInPartner(app, db, partner.id);
    const owner = (await loggedIn(app, db, 'owner')).browser;
    const page = await owner.get('/admin/intake/recipients');
    await expectValidHtml('recipients with partner accounts', page);
    await expectValidHtml('recipients with partner accounts (ru)', await owner.get('/admin/intake/recipients?lang=ru'));
    expect(page.body).toContain(`ID ${partner.id} · 2 accounts`);
    expect(page.body).toContain(`<code>outcry intake partner-account --email ADDRESS --partner ${partner.id}</code>`);
    expect(page.body).not.toContain(`--partner ${reviewer.id}<`);
  });
});

describeEachDialect(
  'intake: partner accounts on a production site',
  (ctx) => {
    it('sends a partner without a second factor to the security page first', async () => {
      const { app, db } = ctx();
      const partner = await addReader(db, 'partner', 'Careful Route');
      const { browser } = await loggedInPartner(app, db, partner.id);
      for (const url of ['/admin', '/admin/intake']) {
        const response = await browser.get(url);
        expect(response.statusCode, url).toBe(303);
        expect(response.headers.location, url).toBe('/admin/security');
      }
      const security = await browser.get('/admin/security');
      expect(security.body).toContain('your account reads requests for help from people at risk');
      await expectValidHtml('partner security page', security);
    });
  },
  { env: { PUBLIC_URL: 'https://outcry.test' } },
);
