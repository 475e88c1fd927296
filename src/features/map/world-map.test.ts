/**
 * The signature map: colour classes, the SVG and its accessible equivalents (title, legend in words, table), and the
 * campaign page that shows it, valid HTML on both dialects, kept in step with per-country changes by the page cache.
 */
import { h } from 'preact';
import { render } from 'preact-render-to-string';
import { describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/helpers/app.ts';
import { makeCampaign, uniqueSuffix } from '../../../test/helpers/factories.ts';
import { Browser } from '../../../test/helpers/http.ts';
import { mailFor, pressLink, signViaApi } from '../../../test/helpers/signing.ts';
import { generateOrganisationKeyPair } from '../../crypto/hpke.ts';
import type { PageContext } from '../../web/context.ts';
import { translator, type Locale } from '../../web/i18n.ts';
import { activateOrganisationKey } from '../keys/queries.ts';
import { createPetition } from '../petitions/service.ts';
import { confirmSignature, withdrawSignature } from '../petitions/signing/confirm.ts';
import { classBreaks, colourStep, compactPath, fillClass, SignatureMap, simplifyLine, worldShapes } from './world-map.tsx';
import { expectValidMarkup } from '../../../test/helpers/html.ts';

function contextFor(locale: Locale): PageContext {
  return { locale, t: translator(locale), path: '/', user: undefined, cssUrl: '/a.css', jsUrl: '/a.js', adminNav: [], csrfToken: () => 'token' };
}

function renderMap(counts: Record<string, number>, locale: Locale = 'en'): string {
  return render(h(SignatureMap, { ctx: contextFor(locale), petitionId: 7, byCountry: new Map(Object.entries(counts)) }));
}

/** The `<path>` drawn for a country, with its class. */
function pathOf(html: string, code: string): string {
  const shape = worldShapes().countries.find((c) => c.code === code);
  if (!shape) throw new Error(`${code} has no shape on the map`);
  const match = new RegExp(`<path class="([^"]+)" d="${shape.d}"></path>`).exec(html);
  if (!match) throw new Error(`no path for ${code}`);
  return match[1]!;
}

/** The table's body rows as [country, count, share]. */
function tableRows(html: string): string[][] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)![1]!;
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) => [...row[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) => cell[1]!));
}

const COUNTS = { RU: 1200, US: 600, DE: 340, GB: 95, CN: 50, FR: 20, ZA: 9, AU: 7, SG: 4, BR: 3, NO: 2, IN: 1 };

describe('colour classes', () => {
  it('picks nice, log-spaced class bounds from the largest count', () => {
    expect(classBreaks(0)).toEqual([]);
    expect(classBreaks(1)).toEqual([1]);
    expect(classBreaks(3)).toEqual([1, 2, 3]);
    expect(classBreaks(5)).toEqual([1, 2, 3, 4, 5]);
    expect(classBreaks(17)).toEqual([1, 2, 3, 5, 10]);
    expect(classBreaks(1200)).toEqual([1, 4, 20, 50, 200]);
    expect(classBreaks(1_000_000)).toEqual([1, 20, 200, 5000, 50_000]);
    for (const max of [5, 6, 9, 10, 11, 17, 20, 99, 250, 12_345, 9_999_999]) {
      const breaks = classBreaks(max);
      expect(breaks).toHaveLength(5);
      expect(breaks[0]).toBe(1);
      expect([...breaks].sort((a, b) => a - b)).toEqual(breaks);
      expect(new Set(breaks).size).toBe(5);
      expect(breaks.at(-1)!).toBeLessThanOrEqual(max);
    }
  });

  it('maps counts to five colour steps, and fewer classes across the whole scale', () => {
    const breaks = [1, 5, 20, 50, 200];
    expect([0, 1, 4, 5, 19, 20, 49, 50, 199, 200, 1_000_000].map((n) => fillClass(n, breaks))).toEqual([
      'map-none',
      'map-c1',
      'map-c1',
      'map-c2',
      'map-c2',
      'map-c3',
      'map-c3',
      'map-c4',
      'map-c4',
      'map-c5',
      'map-c5',
    ]);
    expect([1, 2].map((n) => fillClass(n, [1, 2]))).toEqual(['map-c1', 'map-c5']);
    expect([1, 2, 3].map((n) => fillClass(n, [1, 2, 3]))).toEqual(['map-c1', 'map-c3', 'map-c5']);
    expect(colourStep(0, 1)).toBe(3);
  });
});

describe('map geometry', () => {
  it('simplifies a line, keeping both ends and the points that matter', () => {
    expect(
      simplifyLine(
        [
          [0, 0],
          [1, 0.01],
          [2, 0],
          [3, 5],
          [4, 0],
        ],
        0.1,
      ),
    ).toEqual([
      [0, 0],
      [2, 0],
      [3, 5],
      [4, 0],
    ]);
  });

  it('writes compact relative paths on whole units and drops specks', () => {
    expect(compactPath('M10.4,20.6L15.2,20.4L15.3,25.1L10.1,25.2Z')).toBe('M10 21l5-1 0 5-5 0z');
    expect(compactPath('M1,1L1.2,1.1L1.1,1.3Z')).toBe('');
  });

  it('projects the world once: every country with a shape, compact path data, Antarctica left out', () => {
    const world = worldShapes();
    expect(worldShapes()).toBe(world);
    expect(world.width).toBe(800);
    expect(world.height).toBeGreaterThan(300);
    expect(world.countries.length).toBeGreaterThan(160);
    expect(world.countries.some((c) => c.code === 'AQ')).toBe(false);
    for (const code of ['RU', 'US', 'GB', 'DE', 'BR', 'ZA', 'AU', 'IN', 'CN', 'FR', 'NO'])
      expect(
        world.countries.some((c) => c.code === code),
        code,
      ).toBe(true);
    for (const country of world.countries) expect(country.d).toMatch(/^(M\d+ \d+l-?\d+(?: |(?=-))-?\d+(?:(?: |(?=-))-?\d+(?: |(?=-))-?\d+)*z)+$/);
  });
});

describe('SignatureMap', () => {
  it('renders nothing while no country has a counted signature', () => {
    expect(renderMap({})).toBe('');
    expect(renderMap({ GB: 0 })).toBe('');
  });

  it('draws an SVG image titled with the summary, each country in its class', () => {
    const html = renderMap(COUNTS);
    const svg = /<svg[^>]*>/.exec(html)![0];
    expect(svg).toContain('role="img"');
    expect(svg).toContain('aria-labelledby="map-title-7"');
    expect(svg).toContain(`viewBox="0 0 800 ${worldShapes().height}"`);
    expect(html).toContain('<title id="map-title-7">Signatures by country: 2,331 from 12 countries.</title>');
    expect((html.match(/<path /g) ?? []).length).toBe(worldShapes().countries.length);
    expect(
      Object.fromEntries(['RU', 'US', 'DE', 'GB', 'CN', 'FR', 'ZA', 'AU', 'BR', 'NO', 'IN', 'CA', 'EG'].map((code) => [code, pathOf(html, code)])),
    ).toEqual({
      RU: 'map-c5',
      US: 'map-c5',
      DE: 'map-c5',
      GB: 'map-c4',
      CN: 'map-c4',
      FR: 'map-c3',
      ZA: 'map-c2',
      AU: 'map-c2',
      BR: 'map-c1',
      NO: 'map-c1',
      IN: 'map-c1',
      CA: 'map-none',
      EG: 'map-none',
    });
  });

  it('explains every colour in words', () => {
    const legend = /<div class="map-legend">([\s\S]*?)<\/div>/.exec(renderMap(COUNTS))![1]!;
    const items = [...legend.matchAll(/<li><span class="map-swatch (map-[a-z0-9]+)" aria-hidden="true"><\/span>([^<]*)<\/li>/g)].map((m) => [m[1], m[2]]);
    expect(items).toEqual([
      ['map-c1', '1 to 3'],
      ['map-c2', '4 to 19'],
      ['map-c3', '20 to 49'],
      ['map-c4', '50 to 199'],
      ['map-c5', '200 to 1,200'],
      ['map-none', 'No signatures yet'],
    ]);
  });

  it('lists the top ten countries by count, ties by name, the rest summed', () => {
    const html = renderMap({ ...COUNTS, AU: 9 });
    expect(tableRows(html)).toEqual([
      ['Russia', '1,200', '51.4%'],
      ['United States', '600', '25.7%'],
      ['Germany', '340', '14.6%'],
      ['United Kingdom', '95', '4.1%'],
      ['China', '50', '2.1%'],
      ['France', '20', '0.9%'],
      ['Australia', '9', '0.4%'],
      ['South Africa', '9', '0.4%'],
      ['Singapore', '4', '0.2%'],
      ['Brazil', '3', '0.1%'],
    ]);
    expect(html).toContain('<caption>The 10 countries with the most signatures</caption>');
    expect(html).toMatch(/<tfoot><tr><th scope="row">2 other countries<\/th><td class="numeric">3<\/td><td class="numeric">0.1%<\/td><\/tr><\/tfoot>/);
    expect(renderMap({ GB: 3 })).not.toContain('<tfoot>');
  });

  it('escapes what it shows', () => {
    const html = renderMap({ '<b>&"': 2, GB: 1 });
    expect(html).toContain('<th scope="row">&lt;b>&amp;&quot;</th>');
    expect(html).not.toContain('<b>');
  });

  it('speaks Russian, with its plural forms', () => {
    expect(renderMap({ RU: 5 }, 'ru')).toContain('Подписи по странам: 5 из 1 страны.');
    expect(renderMap({ RU: 5, GB: 2 }, 'ru')).toContain('Подписи по странам: 7 из 2 стран.');
    const html = renderMap({ RU: 1234, GB: 1, DE: 1, FR: 1, US: 1 }, 'ru');
    expect(html).toContain('из 5 стран.');
    expect(tableRows(html)[0]).toEqual(['Россия', '1\u00a0234', '99,7\u00a0%']);
    expect(html).toContain('<caption>5 стран с наибольшим числом подписей</caption>');
    expect(html).toContain('Подписей пока нет');
  });

  it('is valid HTML inside a page', async () => {
    const page = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"/><title>Map</title></head><body><main>${renderMap(COUNTS)}</main></body></html>`;
    await expectValidMarkup('map figure', page);
  });
});

describeEachDialect('signature map on the campaign page', (ctx) => {
  let slug = '';
  let firstEmail = '';
  let frenchEmail = '';

  it('shows where confirmed signatures come from, as valid HTML in English and Russian', async () => {
    const pair = await generateOrganisationKeyPair();
    await activateOrganisationKey(ctx().db, { keyId: pair.keyId, publicKey: pair.publicKey });
    ctx().app.signing.sealer.keyChanged();
    const campaign = await makeCampaign(ctx().db, { status: 'published' });
    slug = campaign.input.slug;
    await createPetition(ctx().db, {
      userId: null,
      campaignId: campaign.id,
      input: { goal: 100, milestones: [], texts: { en: { title: 'Free them', target: 'The Minister', bodyMd: 'Now.' } } },
    });

    const before = await new Browser(ctx().app).get(`/c/${slug}`, { 'accept-language': 'en' });
    expect(before.body).not.toContain('signature-map');

    for (const [i, country] of ['GB', 'GB', 'GB', 'RU', 'FR'].entries()) {
      const email = `map-${i}-${uniqueSuffix()}@example.org`;
      expect(await signViaApi(ctx().app, slug, { name: `Signer ${i}`, email, country })).toBe(202);
      if (country !== 'FR') await pressLink(ctx().app, email, 'confirm');
      if (i === 0) firstEmail = email;
      if (country === 'FR') frenchEmail = email;
    }
    const page = await new Browser(ctx().app).get(`/c/${slug}`, { 'accept-language': 'en' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<figure class="signature-map">');
    expect(page.body).toContain('Signatures by country: 4 from 2 countries.');
    expect(pathOf(page.body, 'GB')).toBe('map-c5');
    expect(pathOf(page.body, 'RU')).toBe('map-c1');
    expect(pathOf(page.body, 'FR')).toBe('map-none');
    expect(tableRows(page.body).map((row) => row.slice(0, 2))).toEqual([
      ['United Kingdom', '3'],
      ['Russia', '1'],
    ]);
    await expectValidMarkup('campaign page with map (en)', page.body);

    const russian = await new Browser(ctx().app).get(`/c/${slug}?lang=ru`);
    expect(russian.body).toContain('Подписи по странам: 4 из 2 стран.');
    await expectValidMarkup('campaign page with map (ru)', russian.body);
  });

  it('follows a change between countries that leaves the total as it was', async () => {
    // Cache the page at 3 GB + 1 RU, then move one signature from GB to FR: still 4 in all.
    const page0 = (await new Browser(ctx().app).get(`/c/${slug}`, { 'accept-language': 'en' })).body;
    expect(page0).toContain('4 from 2 countries');
    // Both changes land between two reads of the counts, as they may within one second in real life.
    const board = ctx().app.countBoard;
    board.stop();
    try {
      await withdrawSignature(ctx().db, (await mailFor(ctx().app, firstEmail)).withdrawToken);
      await confirmSignature(ctx().db, (await mailFor(ctx().app, frenchEmail)).confirmToken);
      await board.refresh();
      expect(board.count(Number(/data-petition="(\d+)"/.exec(page0)![1])).total).toBe(4);
    } finally {
      board.start();
    }
    const page = await new Browser(ctx().app).get(`/c/${slug}`, { 'accept-language': 'en' });
    expect(page.body).toContain('Signatures by country: 4 from 3 countries.');
    expect(pathOf(page.body, 'FR')).not.toBe('map-none');
    expect(tableRows(page.body).map((row) => row.slice(0, 2))).toEqual([
      ['United Kingdom', '2'],
      ['France', '1'],
      ['Russia', '1'],
    ]);
  });
});
