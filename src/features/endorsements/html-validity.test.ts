/**
 * Every endorsement page is valid HTML in English and in Russian, on both dialects: the campaign page with its wall,
 * the list, the suggestion form (empty and with errors), the thank-you page, and the organisers' list, form (new,
 * existing, with errors) and the campaign's admin page with its summary.
 */
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/helpers/app.ts';
import { loggedIn, makeCampaign } from '../../../test/helpers/factories.ts';
import { expectValidHtml } from '../../../test/helpers/html.ts';
import { Browser } from '../../../test/helpers/http.ts';
import { addDemoEndorsements } from './demo.ts';
import { endorsementFields, endorsementInput, suggestionFields } from './test-fixtures.ts';
import { createEndorsement, suggestEndorsement } from './service.ts';

describeEachDialect('endorsements: HTML validity', (ctx) => {
  let campaignId = 0;
  let slug = '';
  let endorsementId = 0;
  let emptySlug = '';

  beforeAll(async () => {
    const campaign = await makeCampaign(ctx().db, {
      status: 'published',
      input: {
        locales: ['en', 'ru'],
        texts: {
          en: { title: 'Campaign', summary: 'A summary.', storyMd: 'Story.', counterLabel: '' },
          ru: { title: 'Кампания', summary: 'Кратко.', storyMd: 'История.', counterLabel: '' },
        },
      },
    });
    campaignId = campaign.id;
    slug = campaign.input.slug;
    await addDemoEndorsements({ db: ctx().db, database: ctx().database, dataDir: ctx().dataDir, campaignId });
    endorsementId = await createEndorsement(ctx().db, {
      userId: null,
      campaignId,
      input: endorsementInput({ name: 'Мара', lang: 'ru', quote: 'Первый абзац.\n\nВторой.', url: 'https://example.org/p', date: '2017-07-14' }),
    });
    await suggestEndorsement(ctx().db, {
      campaignId,
      input: { name: 'Someone', description: 'a singer', url: 'https://example.org/s', quote: '' },
      lang: 'en',
    });
    emptySlug = (await makeCampaign(ctx().db, { status: 'published' })).input.slug;
  });

  for (const lang of ['en', 'ru'] as const) {
    it(`public pages in ${lang}`, async () => {
      const browser = new Browser(ctx().app);
      const pages: [string, string][] = [
        ['campaign with wall', `/c/${slug}`],
        ['endorsements', `/c/${slug}/endorsements`],
        ['suggest', `/c/${slug}/endorsements/suggest`],
        ['suggested', `/c/${slug}/endorsements/suggested`],
        ['campaign without endorsements', `/c/${emptySlug}`],
        ['no endorsements', `/c/${emptySlug}/endorsements`],
      ];
      for (const [label, url] of pages) await expectValidHtml(`${label} (${lang})`, await browser.get(`${url}?lang=${lang}`));
      const rejected = await browser.post(
        `/c/${slug}/endorsements/suggest?lang=${lang}`,
        suggestionFields(ctx().app.deps.keys.formStamp, { name: '', url: 'javascript:x' }),
      );
      expect(rejected.body).toContain('class="error-summary"');
      await expectValidHtml(`suggest with errors (${lang})`, rejected, 400);
    });

    it(`organisers' pages in ${lang}`, async () => {
      const { browser } = await loggedIn(ctx().app, ctx().db, 'editor');
      const pages: [string, string][] = [
        ['campaign admin', `/admin/campaigns/${campaignId}`],
        ['list', `/admin/campaigns/${campaignId}/endorsements`],
        ['new', `/admin/campaigns/${campaignId}/endorsements/new`],
        ['existing', `/admin/endorsements/${endorsementId}`],
      ];
      for (const [label, url] of pages) await expectValidHtml(`${label} (${lang})`, await browser.get(`${url}?lang=${lang}`));
      const rejected = await browser.post(
        `/admin/campaigns/${campaignId}/endorsements/new?lang=${lang}`,
        endorsementFields({ name: '', url: 'ftp://x', status: 'verified', evidence_note: '', lang: 'xx' }),
      );
      expect(rejected.body).toContain('class="error-summary"');
      await expectValidHtml(`form with errors (${lang})`, rejected, 400);
      const { browser: moderator } = await loggedIn(ctx().app, ctx().db, 'moderator');
      await expectValidHtml(`read-only form (${lang})`, await moderator.get(`/admin/endorsements/${endorsementId}?lang=${lang}`));
    });
  }
});
