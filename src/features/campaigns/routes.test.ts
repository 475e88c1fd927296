import { describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/helpers/app.ts';
import { Browser } from '../../../test/helpers/http.ts';
import { makeCampaign } from '../../../test/helpers/factories.ts';
import { loadDemo } from '../demo/load.ts';
import { FEATURES } from '../index.ts';
import { daysSince } from './model.ts';

describeEachDialect('public campaign pages', (ctx) => {
  it('shows a published campaign with hashtag, story, goal, days counter and share links', async () => {
    const { input } = await makeCampaign(ctx().db, { status: 'published', input: { goal: 25000, startDate: '2021-03-04' } });
    const response = await new Browser(ctx().app).get(`/c/${input.slug}`, { 'accept-language': 'en' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/html');
    const html = response.body;
    expect(html).toContain(`<h1>${input.texts.en!.title}</h1>`);
    expect(html).toContain(`#${input.hashtag}`);
    expect(html).toContain('<strong>story</strong>');
    expect(html).toContain('Our goal: 25,000 supporters');
    expect(html).toContain(`>${new Intl.NumberFormat('en').format(daysSince('2021-03-04'))}</span>`);
    for (const host of [
      'https://x.com/intent/post?',
      'https://bsky.app/intent/compose?',
      '/share/mastodon?',
      'https://t.me/share/url?',
      'https://wa.me/?',
      'mailto:?subject=',
    ]) {
      expect(html).toContain(host);
    }
    expect(html).toContain(encodeURIComponent(`#${input.hashtag}`).replace('%20', '+'));
  });

  it('sends security headers: a CSP without unsafe-inline and no third-party origin, no framing', async () => {
    const { input } = await makeCampaign(ctx().db, { status: 'published' });
    const response = await new Browser(ctx().app).get(`/c/${input.slug}`);
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toMatch(/https?:/);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('same-origin');
    // Every script, stylesheet and image on the page comes from this site.
    expect(response.body).not.toMatch(/<(script|img|iframe)[^>]+src="(https?:)?\/\//);
    expect(response.body).not.toMatch(/<link rel="(stylesheet|preload|icon|prefetch|preconnect|dns-prefetch)"[^>]+href="(https?:)?\/\//);
  });

  it('switches to Russian with ?lang=ru, keeps the choice in its links (no cookie), and uses Russian plurals', async () => {
    const { input } = await makeCampaign(ctx().db, {
      status: 'published',
      input: {
        locales: ['en', 'ru'],
        texts: {
          en: { title: 'English title', summary: '', storyMd: 'Story', counterLabel: '' },
          ru: { title: 'Русский заголовок', summary: '', storyMd: 'История', counterLabel: 'с начала' },
        },
      },
    });
    const browser = new Browser(ctx().app);
    const ru = await browser.get(`/c/${input.slug}?lang=ru`);
    expect(ru.body).toContain('<html lang="ru"');
    expect(ru.body).toContain('Русский заголовок');
    expect(ru.body).toMatch(/(день|дня|дней) <span>с начала<\/span>/);
    // A page shared caches keep remembers nothing in a cookie: the language travels in its links instead.
    expect(ru.headers['set-cookie']).toBeUndefined();
    expect(ru.body).toContain('<a class="brand" href="/?lang=ru">');
    expect((await browser.get('/?lang=ru')).body).toContain('<html lang="ru"');
    expect((await browser.get(`/c/${input.slug}`, { 'accept-language': 'ru-RU, ru;q=0.9, en;q=0.5' })).body).toContain('Русский заголовок');
    const english = await new Browser(ctx().app).get(`/c/${input.slug}`, { 'accept-language': 'de, en;q=0.5' });
    expect(english.body).toContain('English title');
  });

  it('falls back to the main language, marked with its lang, when the campaign lacks a translation', async () => {
    const { input } = await makeCampaign(ctx().db, { status: 'published' });
    const response = await new Browser(ctx().app).get(`/c/${input.slug}?lang=ru`);
    expect(response.body).toContain('<html lang="ru"');
    expect(response.body).toContain('<div lang="en">');
    expect(response.body).toContain('не переведён');
  });

  it('hides drafts and shows archived campaigns with a notice', async () => {
    const draft = await makeCampaign(ctx().db);
    expect((await new Browser(ctx().app).get(`/c/${draft.input.slug}`)).statusCode).toBe(404);
    const archived = await makeCampaign(ctx().db, { status: 'archived' });
    const response = await new Browser(ctx().app).get(`/c/${archived.input.slug}`);
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('archived');
  });

  it('answers an unknown campaign with a 404 page, or JSON when JSON is asked for', async () => {
    const html = await new Browser(ctx().app).get('/c/no-such-campaign');
    expect(html.statusCode).toBe(404);
    expect(html.body).toContain('There is nothing at this address.');
    const json = await new Browser(ctx().app).get('/c/no-such-campaign', { accept: 'application/json' });
    expect(json.statusCode).toBe(404);
    expect(json.json()).toEqual({ error: { code: 'not_found', message: 'No such campaign.' } });
    // Broken percent-encoding is a malformed request, not a missing page.
    expect((await new Browser(ctx().app).get('/c/%00%ff..%2f')).statusCode).toBe(400);
  });

  it('shows the featured campaign on the home page', async () => {
    expect(await loadDemo(ctx().database, { dataDir: ctx().dataDir, features: FEATURES })).toBe('loaded');
    expect(await loadDemo(ctx().database, { dataDir: ctx().dataDir, features: FEATURES })).toBe('already-present');
    const response = await new Browser(ctx().app).get('/');
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('#EyesOnChechnya');
    expect(response.body).toContain('The start date is approximate');
  });

  it('shows Mastodon sharers a link to their own server, never a redirect, and re-asks politely for a bad one', async () => {
    const ok = await new Browser(ctx().app).get('/share/mastodon?text=Hello%20%23Tag&instance=https%3A%2F%2Fmastodon.social%2F');
    expect(ok.statusCode).toBe(200);
    expect(ok.headers.location).toBeUndefined();
    expect(ok.body).toContain(
      '<a id="mastodon-continue" class="button primary" href="https://mastodon.social/share?text=Hello+%23Tag" rel="noopener noreferrer">',
    );
    expect(ok.body).toContain('leaves this site for mastodon.social');
    const elsewhere = await new Browser(ctx().app).get('/share/mastodon?instance=evil.example');
    expect(elsewhere.statusCode).toBe(200);
    expect(elsewhere.headers.location).toBeUndefined();
    expect(elsewhere.body).toContain('leaves this site for evil.example');
    const bad = await new Browser(ctx().app).get('/share/mastodon?text=x&instance=javascript:alert(1)');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Enter a server name');
  });

  it('reports database reachability on /healthz', async () => {
    const response = await ctx().app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', database: 'reachable', dialect: ctx().dialect });
  });
});

describe('days since', () => {
  it('counts whole UTC days and never goes negative', () => {
    expect(daysSince('2017-04-01', new Date('2017-04-11T23:59:00Z'))).toBe(10);
    expect(daysSince('2030-01-01', new Date('2026-01-01T00:00:00Z'))).toBe(0);
  });
});
