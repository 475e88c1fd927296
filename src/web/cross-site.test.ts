/**
 * Cross-site request forgery, on both databases: a request a browser says comes from another site changes nothing,
 * on every state-changing route, whatever its content type says or however it is spelt; a form needs its token.
 */
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/helpers/app.ts';
import { makeCampaign, makeOrganisationKey, makePetition, signFields } from '../../test/helpers/factories.ts';
import { Browser } from '../../test/helpers/http.ts';

describeEachDialect('cross-site requests', (ctx) => {
  beforeAll(async () => {
    await makeOrganisationKey(ctx().db, ctx().app.signing.sealer);
  });

  async function openPetition() {
    const campaign = await makeCampaign(ctx().db, { status: 'published' });
    const petition = await makePetition(ctx().db, campaign.id);
    return { slug: campaign.input.slug, petitionId: petition.id };
  }

  const signaturesOf = async (petitionId: number) =>
    Number(
      (
        await ctx()
          .db.selectFrom('signatures')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('petition_id', '=', petitionId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  /** A signature posted by hand, as another site's page (or a script) would send it. */
  const sign = (slug: string, headers: Record<string, string>, body: string) =>
    ctx().app.inject({ method: 'POST', url: `/c/${slug}/sign`, headers: { accept: 'application/json', ...headers }, payload: body });

  it('refuses a sign form whose content type is spelt in capitals from another site, and takes one no browser sent', async () => {
    const { slug, petitionId } = await openPetition();
    const form = () => new URLSearchParams(signFields(ctx().app) as Record<string, string>).toString();
    const fromElsewhere = await sign(slug, { 'content-type': 'Application/x-www-form-urlencoded', origin: 'https://evil.example' }, form());
    expect(fromElsewhere.statusCode).toBe(403);
    expect(fromElsewhere.json()).toMatchObject({ error: { code: 'csrf_failed' } });
    // A sibling subdomain, and a page that hides where it is (an opaque origin), are refused the same way.
    const refused: Record<string, string>[] = [
      { 'sec-fetch-site': 'same-site' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site', origin: ctx().config.publicUrl },
    ];
    for (const headers of refused) {
      const response = await sign(slug, { 'content-type': 'application/x-www-form-urlencoded', ...headers }, form());
      expect(response.statusCode, JSON.stringify(headers)).toBe(403);
    }
    expect(await signaturesOf(petitionId)).toBe(0);
    // The sign form is on a page shared caches keep, so it carries no CSRF token (README, security): a post without
    // Origin or Sec-Fetch-Site comes from no browser, and could as well be JSON. It is taken, and weighed like any.
    for (const type of ['Application/x-www-form-urlencoded', 'APPLICATION/X-WWW-FORM-URLENCODED; charset=UTF-8']) {
      expect((await sign(slug, { 'content-type': type }, form())).statusCode).toBe(303);
    }
    expect(await signaturesOf(petitionId)).toBe(2);
  });

  it('refuses JSON that a browser says comes from another site, and takes it from an API client', async () => {
    const { slug, petitionId } = await openPetition();
    const body = JSON.stringify({ ...signFields(ctx().app), consent: true });
    const refused: Record<string, string>[] = [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }];
    for (const headers of refused) {
      const response = await sign(slug, { 'content-type': 'Application/JSON', ...headers }, body);
      expect(response.statusCode, JSON.stringify(headers)).toBe(403);
    }
    expect(await signaturesOf(petitionId)).toBe(0);
    expect((await sign(slug, { 'content-type': 'application/json' }, body)).statusCode).toBe(202);
    expect(await signaturesOf(petitionId)).toBe(1);
  });

  it('refuses a cross-site request on every state-changing route, even with a valid token', async () => {
    const { slug } = await openPetition();
    const browser = new Browser(ctx().app);
    const crossSite = { 'sec-fetch-site': 'cross-site' };
    const routes = [`/c/${slug}/sign`, '/admin/login', '/admin/logout', '/confirm/1.x', '/withdraw/1.x', '/admin/switches', '/admin/campaigns'];
    for (const url of routes) {
      const response = await browser.post(url, signFields(ctx().app), { headers: crossSite });
      expect(response.statusCode, url).toBe(403);
    }
    const login = await browser.post('/admin/login', { email: 'x@example.org', password: 'whatever' }, { headers: { origin: 'https://evil.example' } });
    expect(login.statusCode).toBe(403);
  });

  it('lets this site, and a person typing an address, through', async () => {
    const { slug, petitionId } = await openPetition();
    const browser = new Browser(ctx().app);
    const allowed: Record<string, string>[] = [{ 'sec-fetch-site': 'same-origin' }, { 'sec-fetch-site': 'none' }, { origin: ctx().config.publicUrl }, {}];
    for (const headers of allowed) {
      const response = await browser.post(`/c/${slug}/sign`, signFields(ctx().app), { headers });
      expect(response.statusCode, JSON.stringify(headers)).toBe(303);
    }
    expect(await signaturesOf(petitionId)).toBe(4);
  });
});
