/**
 * A response that carries a visitor's own CSRF token (and with it, on a rejected form, what they typed) is never
 * stored by a cache: not a page whose token is filled into a cached copy per response. The campaign page carries no
 * token at all, so shared caches may keep it (see public-cache.ts and src/features/campaigns/public-cache.test.ts).
 */
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../test/helpers/app.ts';
import { makeCampaign, makePetition, signFields } from '../../test/helpers/factories.ts';
import { Browser } from '../../test/helpers/http.ts';
import { CSRF_FIELD } from './csrf.ts';

describeEachDialect('pages with a per-visitor token', (ctx) => {
  it('answers no-store for a form page with its token, and for the sign form rejected with the typed values', async () => {
    const campaign = await makeCampaign(ctx().db, { status: 'published' });
    await makePetition(ctx().db, campaign.id);
    const browser = new Browser(ctx().app);

    const suggest = await browser.get(`/c/${campaign.input.slug}/endorsements/suggest`);
    expect(suggest.statusCode).toBe(200);
    expect(suggest.body).toContain(`name="${CSRF_FIELD}" value="${browser.csrfToken}"`);
    expect(suggest.headers['cache-control']).toBe('no-store');

    const page = await browser.get(`/c/${campaign.input.slug}`);
    expect(page.body).not.toContain(`name="${CSRF_FIELD}"`);
    expect(page.headers['cache-control']).toMatch(/^public, /);

    const fields = signFields(ctx().app, { name: 'Zarema Typed-Name', email: 'not an address' });
    const rejected = await browser.post(`/c/${campaign.input.slug}/sign`, fields);
    expect(rejected.statusCode).toBe(400);
    expect(rejected.body).toContain('Zarema Typed-Name');
    expect(rejected.headers['cache-control']).toBe('no-store');
  });

  it('leaves a page without a form to the caches', async () => {
    const response = await new Browser(ctx().app).get('/share/mastodon?text=hello');
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBeUndefined();
  });
});
