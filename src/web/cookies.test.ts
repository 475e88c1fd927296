/**
 * The site's cookies, named for the deployment: `__Host-` prefixed over https (Secure, Path=/, no Domain, as the
 * prefix requires), plain over http where browsers refuse the prefix.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect, startTestApp, type TestContext } from '../../test/helpers/app.ts';
import { makeUser } from '../../test/helpers/factories.ts';
import { Browser } from '../../test/helpers/http.ts';

interface SetCookie {
  name: string;
  value: string;
  path?: string;
  domain?: string;
  secure?: boolean;
  httpOnly?: boolean;
}

const cookiesOf = (response: LightMyRequestResponse) => response.cookies as SetCookie[];

/** The cookies a browser that has never been here gets: the CSRF nonce (login page), the language, the session. */
async function freshCookies(app: FastifyInstance): Promise<SetCookie[]> {
  const login = await app.inject({ method: 'GET', url: '/admin/login?lang=ru' });
  const user = await makeUser(app.deps.database.db, 'editor');
  const browser = new Browser(app);
  const session = await browser.post('/admin/login', { email: user.email, password: user.password });
  expect(session.statusCode).toBe(303);
  return [...cookiesOf(login), ...cookiesOf(session)];
}

describeEachDialect('cookies', (ctx) => {
  let https: TestContext & { close(): Promise<void> };
  beforeAll(async () => {
    https = await startTestApp(ctx().dialect, { PUBLIC_URL: 'https://outcry.test' });
  });
  afterAll(async () => {
    await https?.close();
  });

  it('over http keeps the plain names, without Secure', async () => {
    const cookies = await freshCookies(ctx().app);
    expect(cookies.map((c) => c.name).sort()).toEqual(['outcry_csrf', 'outcry_lang', 'outcry_session']);
    for (const cookie of cookies) expect([cookie.path, cookie.secure, cookie.domain]).toEqual(['/', undefined, undefined]);
  });

  it('over https names each cookie __Host-, with Secure, Path=/ and no Domain', async () => {
    const cookies = await freshCookies(https.app);
    expect(cookies.map((c) => c.name).sort()).toEqual(['__Host-outcry_csrf', '__Host-outcry_lang', '__Host-outcry_session']);
    for (const cookie of cookies) expect([cookie.path, cookie.secure, cookie.domain]).toEqual(['/', true, undefined]);
    expect(cookies.find((c) => c.name === '__Host-outcry_session')?.httpOnly).toBe(true);
  });

  it('over https reads only the prefixed cookies: a plain one planted from elsewhere counts for nothing', async () => {
    const { app } = https;
    const user = await makeUser(app.deps.database.db, 'editor');
    const browser = new Browser(app);
    expect((await browser.post('/admin/login', { email: user.email, password: user.password })).statusCode).toBe(303);
    expect((await browser.get('/admin')).statusCode).toBe(200);
    expect((await browser.get('/?lang=ru')).body).toContain('lang="ru"');
    expect((await browser.get('/')).body).toContain('lang="ru"');

    const token = browser.cookies.get('__Host-outcry_session')!;
    const nonce = browser.cookies.get('__Host-outcry_csrf')!;
    const planted = (cookie: string, url = '/admin') => app.inject({ method: 'GET', url, headers: { cookie } });
    expect((await planted(`outcry_session=${token}`)).statusCode).toBe(303);
    expect((await planted('outcry_lang=ru', '/')).body).toContain('lang="en"');
    const form = new URLSearchParams({ _csrf: browser.csrfToken }).toString();
    const logout = await app.inject({
      method: 'POST',
      url: '/admin/logout',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `outcry_csrf=${nonce}; __Host-outcry_session=${token}` },
      payload: form,
    });
    expect(logout.statusCode).toBe(403);

    expect((await browser.post('/admin/logout', {})).statusCode).toBe(303);
    expect((await planted(`__Host-outcry_session=${token}`)).statusCode).toBe(303);
  });
});
