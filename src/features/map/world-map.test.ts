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
import { classBreaks, colourStep, compactPath, fillClass, SignatureMap, SMALL_COUNT, simplifyLine, worldShapes } from './world-map.tsx';
import { expectValidMarkup } from '../../../test/helpers/html.ts';

function contextFor(locale: Locale): PageContext {
  return {
    locale,
    t: translator(locale),
    path: '/',
    user: undefined,
    cssUrl: '/a.css',
    jsUrl: '/a.js',
    adminJsUrl: '/admin.js',
    adminNav: [],
    csrfToken: () => 'token',
  };
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

/** A table section's rows as [country, count, share], each cell's text (a hidden share reads "—not shown"). */
function tableRows(html: string, section: 'tbody' | 'tfoot' = 'tbody'): string[][] {
  const body = new RegExp(`<${section}>([\\s\\S]*?)</${section}>`).exec(html)![1]!;
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) => cell[1]!.replace(/<[^>]*>/g, '')),
  );
}

/** The legend's items as [class, words]. */
function legendItems(html: string): string[][] {
  const legend = /<div class="map-legend">([\s\S]*?)<\/div>/.exec(html)![1]!;
  return [...legend.matchAll(/<li><span class="map-swatch (map-[a-z0-9]+)" aria-hidden="true"><\/span>([^<]*)<\/li>/g)].map((m) => [m[1]!, m[2]!]);
}

/** Every number a reader or a screen reader meets in the figure: its text, and its title and aria attributes. */
function numbersShown(html: string): string[] {
  const attributes = [...html.matchAll(/ (?:aria-label|title|alt)="([^"]*)"/g)].map((m) => m[1]!);
  const text = html.replace(/<path [^>]*><\/path>/g, '').replace(/<[^>]*>/g, ' ');
  return [text, ...attributes].flatMap((words) => words.match(/\d+(?:[.,\u00a0]\d+)*/g) ?? []);
}

const COUNTS = { RU: 1200, US: 600, DE: 340, GB: 95, CN: 50, FR: 20, ZA: 9, AU: 7, SG: 4, BR: 3, NO: 2, IN: 1 };

describe('colour classes', () => {
  it('picks nice, log-spaced class bounds from the largest count', () => {
    expect(classBreaks(0)).toEqual([]);
    // Below SMALL_COUNT a class of its own would tell one small count from another: 1 to 4 share the lowest class.
    expect(classBreaks(1)).toEqual([1]);
    expect(classBreaks(3)).toEqual([1]);
    expect(classBreaks(4)).toEqual([1]);
    expect(classBreaks(5)).toEqual([1, 5]);
    expect(classBreaks(7)).toEqual([1, 5, 6, 7]);
    expect(classBreaks(17)).toEqual([1, 5, 6, 7, 10]);
    expect(classBreaks(1200)).toEqual([1, 5, 20, 50, 200]);
    expect(classBreaks(1_000_000)).toEqual([1, 20, 200, 5000, 50_000]);
    for (const max of [8, 9, 10, 11, 17, 20, 99, 250, 12_345, 9_999_999]) {
      const breaks = classBreaks(max);
      expect(breaks).toHaveLength(5);
      expect(breaks[0]).toBe(1);
      expect([...breaks].sort((a, b) => a - b)).toEqual(breaks);
      expect(new Set(breaks).size).toBe(5);
      expect(breaks.at(-1)!).toBeLessThanOrEqual(max);
    }
  });

  it('gives every count under SMALL_COUNT the same colour, whatever the largest count', () => {
    for (const max of [1, 2, 3, 4, 5, 6, 7, 8, 17, 42, 1200, 1_000_000]) {
      const breaks = classBreaks(max);
      expect(breaks[1] ?? Number.POSITIVE_INFINITY, `max ${max}`).toBeGreaterThanOrEqual(SMALL_COUNT);
      const small = [1, 2, 3, 4].filter((n) => n <= max).map((n) => fillClass(n, breaks));
      expect(new Set(small).size, `max ${max}`).toBe(1);
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
    expect([4, 5].map((n) => fillClass(n, [1, 5]))).toEqual(['map-c1', 'map-c5']);
    expect([4, 5, 6].map((n) => fillClass(n, [1, 5, 6]))).toEqual(['map-c1', 'map-c3', 'map-c5']);
    expect(fillClass(3, [1])).toBe('map-c3');
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
    expect(legendItems(renderMap(COUNTS))).toEqual([
      ['map-c1', 'fewer than 5'],
      ['map-c2', '5 to 19'],
      ['map-c3', '20 to 49'],
      ['map-c4', '50 to 199'],
      ['map-c5', '200 to 1,200'],
      ['map-none', 'No signatures yet'],
    ]);
    expect(legendItems(renderMap({ GB: 1_000_000, RU: 3 }))[0]).toEqual(['map-c1', 'fewer than 20']);
  });

  it('names no count under SMALL_COUNT in the legend when the largest count is one', () => {
    // "1 to 3" (or "3") would give the largest count away.
    expect(legendItems(renderMap({ GB: 3, RU: 1 }))).toEqual([
      ['map-c3', 'fewer than 5'],
      ['map-none', 'No signatures yet'],
    ]);
    expect(legendItems(renderMap({ RU: 4 }, 'ru'))).toEqual([
      ['map-c3', 'меньше 5'],
      ['map-none', 'Подписей пока нет'],
    ]);
    expect(legendItems(renderMap({ GB: 5, RU: 1 })).map(([, words]) => words)).toEqual(['fewer than 5', '5', 'No signatures yet']);
  });

  it('lists the top ten countries by count, ties by name, small ones after them by name only, the rest apart', () => {
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
      ['Brazil', 'fewer than 5', '—not shown'],
      ['India', 'fewer than 5', '—not shown'],
    ]);
    expect(html).toContain('<caption>The 10 countries with the most signatures</caption>');
    expect(html).toContain('<td class="numeric"><span aria-hidden="true">—</span><span class="visually-hidden">not shown</span></td>');
    // Norway (2) and Singapore (4): their sum would give India back (the total is public), so it is left out.
    expect(tableRows(html, 'tfoot')).toEqual([['2 other countries', 'fewer than 5 each', '—not shown']]);
    expect(renderMap({ GB: 3 })).not.toContain('<tfoot>');
  });

  it('sums the other countries only when one of them reaches SMALL_COUNT', () => {
    const large = { RU: 900, US: 600, DE: 340, GB: 95, CN: 50, FR: 20, ZA: 9, AU: 7, SE: 6, NL: 5 };
    // One other country holding 2: its count, or its share, would be its number.
    const one = renderMap({ ...large, NO: 2 });
    expect(tableRows(one, 'tfoot')).toEqual([['1 other country', 'fewer than 5', '—not shown']]);
    expect(numbersShown(/<tfoot>[\s\S]*<\/tfoot>/.exec(one)![0])).toEqual(['1', '5']);
    // Brazil, the one small country in the table: the others' 4 + 4 as 8 would give Brazil = total − rows − 8.
    const { NL: _nl, ...nine } = large;
    const split = renderMap({ ...nine, BR: 3, IN: 4, NO: 4 });
    expect(tableRows(split).at(-1)).toEqual(['Brazil', 'fewer than 5', '—not shown']);
    expect(tableRows(split, 'tfoot')).toEqual([['2 other countries', 'fewer than 5 each', '—not shown']]);
    // With a large one among them, every row above is exact: the sum is the public total minus the rows.
    const summed = renderMap({ ...large, BE: 5, NO: 1 });
    expect(tableRows(summed, 'tfoot')).toEqual([['2 other countries', '6', '0.3%']]);
    expect(tableRows(renderMap({ ...large, NL: 6, BE: 5 }, 'ru'), 'tfoot')).toEqual([['Ещё 1 страна', '5', '0,2\u00a0%']]);
    expect(tableRows(renderMap({ ...large, NO: 2, IN: 1 }, 'ru'), 'tfoot')).toEqual([['Ещё 2 страны', 'меньше 5 в каждой', '—не указана']]);
  });

  it('shows no number for a country with one signature, in English and Russian', () => {
    // Belarus (2) keeps Russia's 1 from following from the public total: two small counts summing to 3.
    const counts = { RU: 1, BY: 2, GB: 42, DE: 22 };
    for (const [locale, russia, fewer, hidden] of [
      ['en', 'Russia', 'fewer than 5', '—not shown'],
      ['ru', 'Россия', 'меньше 5', '—не указана'],
    ] as const) {
      const html = renderMap(counts, locale);
      const rows = tableRows(html);
      expect(rows.find(([name]) => name === russia)).toEqual([russia, fewer, hidden]);
      expect(legendItems(html)[0]![1]).toBe(fewer);
      expect(pathOf(html, 'RU')).toBe(pathOf(html, 'BY'));
      // Table, legend, caption, summary and the image's title: 67 in all, 42 and 22 and their shares, the classes.
      expect(numbersShown(html), locale).not.toContain('1');
      expect(numbersShown(html), locale).not.toContain('2');
      expect(numbersShown(html)).toContain('67');
    }
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
    expect(tableRows(html)[1]).toEqual(['Великобритания', 'меньше 5', '—не указана']);
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
    // 3 and 1 are both under SMALL_COUNT: one colour, no numbers, by name.
    expect(pathOf(page.body, 'GB')).toBe('map-c3');
    expect(pathOf(page.body, 'RU')).toBe('map-c3');
    expect(pathOf(page.body, 'FR')).toBe('map-none');
    expect(tableRows(page.body).map((row) => row.slice(0, 2))).toEqual([
      ['Russia', 'fewer than 5'],
      ['United Kingdom', 'fewer than 5'],
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
      ['France', 'fewer than 5'],
      ['Russia', 'fewer than 5'],
      ['United Kingdom', 'fewer than 5'],
    ]);
  });
});
