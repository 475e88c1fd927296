/**
 * The public pages a shared cache keeps (web/public-cache.ts): for a visitor without a session each is the same bytes
 * for everyone, sets no cookie and says `public` with a short s-maxage; an organiser's copy is `private, no-store`.
 * The proxy in front is tested for real in test/proxy.test.ts.
 */
import type { LightMyRequestResponse } from 'fastify';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/helpers/app.ts';
import { loggedIn } from '../../../test/helpers/factories.ts';
import { Browser } from '../../../test/helpers/http.ts';
import { CSRF_FIELD } from '../../web/csrf.ts';
import { PUBLIC_COUNT, PUBLIC_PAGE, type PublicCachePolicy } from '../../web/public-cache.ts';
import { loadDemo } from '../demo/load.ts';
import { FEATURES } from '../index.ts';

const SLUG = 'eyes-on-chechnya';
const ENGLISH = { 'accept-language': 'en-GB, en;q=0.9' };

/** The stamp is shared by everyone in its ten-second window; two requests may fall either side of a boundary. */
const withoutStamp = (body: string) => body.replace(/name="ts" value="[^"]*"/g, 'name="ts" value=""');

function expectShareable(response: LightMyRequestResponse, url: string, policy: PublicCachePolicy): void {
  expect(response.statusCode, url).toBe(200);
  expect(response.headers['set-cookie'], url).toBeUndefined();
  expect(response.headers['cache-control'], url).toBe(
    `public, max-age=${policy.maxAge}, s-maxage=${policy.sMaxAge}, stale-while-revalidate=${policy.staleWhileRevalidate}, stale-if-error=${policy.staleIfError}`,
  );
  const lastModified = Date.parse(String(response.headers['last-modified']));
  expect(lastModified % (policy.sMaxAge * 1000), url).toBe(0);
  expect(lastModified, url).toBeLessThanOrEqual(Date.now());
  expect(response.body, url).not.toContain(`name="${CSRF_FIELD}"`);
}

describeEachDialect('public pages a shared cache keeps', (ctx) => {
  let pages: string[] = [];

  beforeAll(async () => {
    await loadDemo(ctx().database, { dataDir: ctx().dataDir, features: FEATURES });
    const letter = await ctx().db.selectFrom('letters').select('id').where('state', '!=', 'draft').executeTakeFirstOrThrow();
    pages = [
      '/',
      `/c/${SLUG}`,
      `/c/${SLUG}?lang=ru`,
      `/c/${SLUG}?ref=twitter`,
      `/c/${SLUG}/accountability`,
      `/c/${SLUG}/letters/${letter.id}`,
      `/c/${SLUG}/endorsements`,
      `/c/${SLUG}/signed`,
    ];
  });

  it('gives every visitor without a session the same bytes, no cookie, and a short public cache', async () => {
    const { app } = ctx();
    for (const url of pages) {
      const first = await new Browser(app).get(url, ENGLISH);
      // Another visitor, with cookies of every kind this site ever sets (but no session) and another address.
      const second = await app.inject({
        method: 'GET',
        url,
        remoteAddress: '192.0.2.77',
        headers: { ...ENGLISH, cookie: 'outcry_lang=ru; outcry_csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA; tracker=1' },
      });
      expectShareable(first, url, PUBLIC_PAGE);
      expectShareable(second, url, PUBLIC_PAGE);
      expect(first.headers.vary, url).toBe('Accept-Language');
      expect(withoutStamp(second.body), url).toBe(withoutStamp(first.body));
    }
    const count = await new Browser(app).get(`/c/${SLUG}/count.json`);
    expectShareable(count, 'count.json', PUBLIC_COUNT);
    expect(count.headers.vary).toBeUndefined();
  });

  it('carries the shared stamp of its window in the sign form, the share code of its address, and no token', async () => {
    const page = await new Browser(ctx().app).get(`/c/${SLUG}?ref=twitter`, ENGLISH);
    expect(page.body).toMatch(/name="ts" value="\d{13}\.[A-Za-z0-9_-]{12}\.shared\.[A-Za-z0-9_-]{43}"/);
    expect(page.body).toContain('name="ref" value="twitter"');
    expect(page.body).toContain(`data-stamp-url="/c/${SLUG}/form-stamp"`);
  });

  it('takes the language from ?lang= or Accept-Language, never from a cookie, and keeps it in its links', async () => {
    const { app } = ctx();
    const lang = async (url: string, headers: Record<string, string>) => {
      const response = await app.inject({ method: 'GET', url, headers });
      expect(response.headers['set-cookie']).toBeUndefined();
      return /<html lang="(\w+)"/.exec(response.body)?.[1];
    };
    expect(await lang(`/c/${SLUG}`, { 'accept-language': 'ru' })).toBe('ru');
    expect(await lang(`/c/${SLUG}`, { 'accept-language': 'de-DE, de;q=0.9, ru;q=0.8, en;q=0.5' })).toBe('ru');
    expect(await lang(`/c/${SLUG}?lang=ru`, ENGLISH)).toBe('ru');
    expect(await lang(`/c/${SLUG}`, { ...ENGLISH, cookie: 'outcry_lang=ru' })).toBe('en');
    expect(await lang(`/c/${SLUG}/accountability`, { 'accept-language': 'ru' })).toBe('ru');
    const russian = await app.inject({ method: 'GET', url: `/c/${SLUG}/accountability?lang=ru`, headers: ENGLISH });
    expect(russian.body).toContain(`href="/c/${SLUG}?lang=ru"`);
  });

  it('gives an organiser (anyone with a session cookie) a private copy that no cache keeps', async () => {
    const { app, db } = ctx();
    const { browser } = await loggedIn(app, db, 'editor');
    for (const url of pages) {
      const response = await browser.get(url);
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['cache-control'], url).toBe('private, no-store');
    }
    const stale = await app.inject({ method: 'GET', url: `/c/${SLUG}`, headers: { cookie: 'outcry_session=no-longer-valid' } });
    expect(stale.headers['cache-control']).toBe('private, no-store');
  });
});
