/**
 * The organisers' pages for petitions, suspect review, evidence, kill switches and the development mailbox are valid HTML,
 * in English and in Russian, on both dialects: checked with html-validate's recommended rules (configured as in
 * src/features/campaigns/html-validity.test.ts).
 */
import { expect, it } from 'vitest';
import { describeEachDialect, startTestApp, type TestContext } from './helpers/app.ts';
import { loggedIn, makeCampaign, uniqueSuffix } from './helpers/factories.ts';
import type { Browser } from './helpers/http.ts';
import { createMailer } from '../src/jobs/mailer.ts';
import { findCampaignBySlug } from '../src/features/campaigns/queries.ts';
import { loadDemo } from '../src/features/demo/load.ts';
import { FEATURES } from '../src/features/index.ts';
import { listPetitionsOfCampaign } from '../src/features/petitions/queries.ts';
import { createPetition, setPetitionOpen } from '../src/features/petitions/service.ts';
import type { Database } from '../src/db/database.ts';
import { expectValidHtml } from './helpers/html.ts';

const LANGS = ['en', 'ru'] as const;

function withLang(url: string, lang: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}lang=${lang}`;
}

/** GETs `url` in each language and validates it. */
async function expectValidInBothLanguages(browser: Browser, name: string, url: string, check?: (body: string) => void): Promise<void> {
  for (const lang of LANGS) {
    const response = await browser.get(withLang(url, lang));
    expect(response.body).toContain(`<html lang="${lang}"`);
    check?.(response.body);
    await expectValidHtml(`${name} (${lang})`, response);
  }
}

async function withDemo(ctx: TestContext): Promise<{ campaignId: number; petitionId: number }> {
  await loadDemo(ctx.database, { dataDir: ctx.dataDir, features: FEATURES });
  const demo = await findCampaignBySlug(ctx.db, 'eyes-on-chechnya');
  if (!demo) throw new Error('the demo campaign did not load');
  const [petition] = await listPetitionsOfCampaign(ctx.db, demo.id);
  return { campaignId: demo.id, petitionId: petition!.id };
}

/** Signatures as the signing path leaves them, written directly: the review pages only read these columns. */
async function addSignatures(
  db: Database,
  petitionId: number,
  rows: { suspect: string | null; status: 'pending' | 'confirmed'; country: string }[],
): Promise<void> {
  const now = new Date().toISOString();
  const windowId = `html-${uniqueSuffix()}`;
  await db.insertInto('sealing_windows').values({ id: windowId, key_id: 'k', enc: 'e', created_at: now }).execute();
  await db
    .insertInto('signatures')
    .values(
      rows.map((row, i) => ({
        petition_id: petitionId,
        dedup_key: `${windowId}-${i}`,
        window_id: windowId,
        sealed: Buffer.from('sealed'),
        country: row.country,
        status: row.status,
        suspect: row.suspect ? (1 as const) : (0 as const),
        suspect_reason: row.suspect,
        public_name: null,
        wants_updates: 0 as const,
        ref: null,
        confirm_token_hash: null,
        withdraw_token_hash: `${windowId}-${i}`,
        token_expires_at: now,
        last_mailed_at: now,
        created_at: now,
        confirmed_at: row.status === 'confirmed' ? now : null,
        withdrawn_at: null,
      })),
    )
    .execute();
}

describeEachDialect("HTML validity of the organisers' petition, switch and mailbox pages", (ctx) => {
  it('dashboard with the demo-key warning', async () => {
    await withDemo(ctx());
    const { browser } = await loggedIn(ctx().app, ctx().db, 'owner');
    await expectValidInBothLanguages(browser, 'dashboard (demo key)', '/admin', (body) => expect(body).toContain('<code>outcry keys new</code>'));
  });

  it('campaign edit page with its petitions, for an owner and a moderator', async () => {
    const { campaignId } = await withDemo(ctx());
    const { browser } = await loggedIn(ctx().app, ctx().db, 'owner');
    await expectValidInBothLanguages(browser, 'campaign with petitions', `/admin/campaigns/${campaignId}`, (body) => expect(body).toContain('id="petitions"'));
    const { browser: moderator } = await loggedIn(ctx().app, ctx().db, 'moderator');
    await expectValidInBothLanguages(moderator, 'campaign with petitions (moderator)', `/admin/campaigns/${campaignId}`);
    const empty = await makeCampaign(ctx().db);
    await expectValidInBothLanguages(browser, 'campaign without petitions', `/admin/campaigns/${empty.id}`);
  });

  it('new-petition form, empty and with errors', async () => {
    const { campaignId } = await withDemo(ctx());
    const { browser } = await loggedIn(ctx().app, ctx().db, 'editor');
    await expectValidInBothLanguages(browser, 'new petition', `/admin/campaigns/${campaignId}/petitions/new`);
    for (const lang of LANGS) {
      const response = await browser.post(withLang(`/admin/campaigns/${campaignId}/petitions/new`, lang), {
        goal: 'lots',
        milestones: '3, 2, 1',
        title_en: '',
        title_ru: 'Только заголовок',
      });
      expect(response.body).toContain('class="error-summary"');
      await expectValidHtml(`new petition with errors (${lang})`, response, 400);
    }
  });

  it('petition page: open with a flash, the close refused without confirmation, closed, and read-only', async () => {
    const { campaignId, petitionId } = await withDemo(ctx());
    const { browser } = await loggedIn(ctx().app, ctx().db, 'owner');
    await expectValidInBothLanguages(browser, 'petition', `/admin/petitions/${petitionId}?done=saved`);
    for (const lang of LANGS) {
      const response = await browser.post(withLang(`/admin/petitions/${petitionId}/status`, lang), { status: 'closed' });
      expect(response.body).toContain('id="confirm_close-error"');
      await expectValidHtml(`petition close unconfirmed (${lang})`, response, 400);
    }
    const closed = await createPetition(ctx().db, {
      userId: null,
      campaignId,
      input: { goal: 10, milestones: [5], texts: { en: { title: 'Closed one', target: 'Them', bodyMd: 'Text' } } },
    });
    await setPetitionOpen(ctx().db, { userId: null, id: closed, open: false });
    await expectValidInBothLanguages(browser, 'closed petition', `/admin/petitions/${closed}?done=closed`, (body) =>
      expect(body).toContain('name="status" value="open"'),
    );
    const { browser: moderator } = await loggedIn(ctx().app, ctx().db, 'moderator');
    await expectValidInBothLanguages(moderator, 'petition (moderator)', `/admin/petitions/${petitionId}`);
  });

  it('suspect review and all signatures, with rows, paging and a flash, and empty', async () => {
    const { campaignId, petitionId } = await withDemo(ctx());
    await addSignatures(ctx().db, petitionId, [
      ...Array.from({ length: 52 }, () => ({ suspect: 'rate', status: 'pending' as const, country: 'RU' })),
      { suspect: 'stamp:too-fast', status: 'confirmed', country: 'FR' },
      { suspect: 'something-new', status: 'confirmed', country: 'DE' },
      { suspect: null, status: 'confirmed', country: 'GB' },
    ]);
    const { browser } = await loggedIn(ctx().app, ctx().db, 'moderator');
    await expectValidInBothLanguages(browser, 'suspects', `/admin/petitions/${petitionId}/suspects?done=restored`, (body) =>
      expect(body).toContain('?before='),
    );
    await expectValidInBothLanguages(browser, 'suspects (older page)', `/admin/petitions/${petitionId}/suspects?before=3`);
    await expectValidInBothLanguages(browser, 'all signatures', `/admin/petitions/${petitionId}/signatures?done=marked`, (body) =>
      expect(body).toContain('/suspect"'),
    );
    const other = await createPetition(ctx().db, {
      userId: null,
      campaignId,
      input: { goal: 10, milestones: [], texts: { en: { title: 'Quiet', target: 'Them', bodyMd: 'Text' } } },
    });
    await expectValidInBothLanguages(browser, 'suspects (empty)', `/admin/petitions/${other}/suspects`);
    await expectValidInBothLanguages(browser, 'all signatures (empty)', `/admin/petitions/${other}/signatures`);
  });

  it('evidence: the list, the new-record forms and a fact, source and incident with their history, for an editor and a moderator', async () => {
    const { campaignId } = await withDemo(ctx());
    const [fact] = await ctx().db.selectFrom('evidence_facts').select('id').where('campaign_id', '=', campaignId).orderBy('id').execute();
    const [source] = await ctx().db.selectFrom('evidence_sources').select('id').where('campaign_id', '=', campaignId).orderBy('id').execute();
    const [incident] = await ctx().db.selectFrom('evidence_incidents').select('id').where('campaign_id', '=', campaignId).orderBy('id').execute();
    const pages = [
      `/admin/campaigns/${campaignId}/evidence?done=created`,
      `/admin/evidence/facts/${fact!.id}?done=linked`,
      `/admin/evidence/sources/${source!.id}`,
      `/admin/evidence/incidents/${incident!.id}`,
    ];
    const { browser } = await loggedIn(ctx().app, ctx().db, 'editor');
    for (const url of pages) await expectValidInBothLanguages(browser, url, url);
    for (const kind of ['facts', 'sources', 'incidents']) {
      await expectValidInBothLanguages(browser, `new ${kind}`, `/admin/campaigns/${campaignId}/evidence/${kind}/new`);
    }
    const { browser: moderator } = await loggedIn(ctx().app, ctx().db, 'moderator');
    for (const url of pages) await expectValidInBothLanguages(moderator, `${url} (moderator)`, url);
  });

  it('kill switches for an editor (one on, with a flash) and a moderator', async () => {
    const { browser } = await loggedIn(ctx().app, ctx().db, 'editor');
    expect((await browser.post('/admin/switches', { name: 'requireProofOfWork', state: 'on' })).statusCode).toBe(303);
    await expectValidInBothLanguages(browser, 'switches', '/admin/switches?done=on&switch=requireProofOfWork');
    await expectValidInBothLanguages(browser, 'switches (unchanged)', '/admin/switches?done=unchanged');
    expect((await browser.post('/admin/switches', { name: 'requireProofOfWork', state: 'off' })).statusCode).toBe(303);
    const { browser: moderator } = await loggedIn(ctx().app, ctx().db, 'moderator');
    await expectValidInBothLanguages(moderator, 'switches (moderator)', '/admin/switches');
  });

  it('development mailbox: empty, listing, one message, and with SMTP configured', async () => {
    const { browser } = await loggedIn(ctx().app, ctx().db, 'owner');
    await expectValidInBothLanguages(browser, 'mailbox (empty)', '/admin/mail');
    const mailer = createMailer(ctx().config);
    await mailer.send({
      to: 'anna@example.org',
      subject: 'Подтвердите подпись <b>',
      text: 'Confirm: http://outcry.test/confirm/abc\n<a href="x">not a link</a> https://elsewhere.example/\n',
    });
    await mailer.send({ to: 'boris@example.org', subject: '', text: '' });
    mailer.close();
    await expectValidInBothLanguages(browser, 'mailbox', '/admin/mail');
    const href = /href="(\/admin\/mail\/[^"]+\.eml)"/.exec((await browser.get('/admin/mail')).body)?.[1];
    await expectValidInBothLanguages(browser, 'mail message', href!);

    const smtp = await startTestApp(ctx().dialect, { SMTP_URL: 'smtp://127.0.0.1:2525' });
    try {
      const { browser: owner } = await loggedIn(smtp.app, smtp.db, 'owner');
      await expectValidInBothLanguages(owner, 'mailbox (SMTP)', '/admin/mail');
    } finally {
      await smtp.close();
    }
  });
});
