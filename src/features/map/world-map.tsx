/**
 * A world map of confirmed signatures by country, drawn on the server as SVG (no JavaScript, no map tiles, no third
 * party), with a table of the top countries beside it as its accessible equivalent and a legend that says in words
 * what each colour means. A country's count below SMALL_COUNT is never shown, only that it is under it: it would let
 * someone who watches a connection tie it to the one signature that made "Russia: 1".
 *
 * The country outlines (world-atlas 1:110m, Antarctica left out) are projected once per process with Equal Earth,
 * simplified along the shared borders (so neighbours still meet) and written as compact relative paths on a whole-unit
 * grid: about 22 kB for the whole world. Each render only picks a colour class per country.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { geoEqualEarth, geoPath } from 'd3-geo';
import type { FeatureCollection, Geometry } from 'geojson';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import type { PageContext } from '../../web/context.ts';
import { formatNumber, type Locale } from '../../web/i18n.ts';
import { COUNTRY_CODES, countryName, numericCountryCode } from '../../web/countries.ts';

const WIDTH = 800;
/** Douglas–Peucker tolerance in degrees: about 0.8 units of the 800-wide map, invisible at any size it is shown. */
const SIMPLIFY_DEGREES = 0.35;
/** Islands smaller than this (in square units of the map) are dropped: they would be specks. */
const MIN_RING_AREA = 1;
const ANTARCTICA = '010';
const TOP_COUNTRIES = 10;
export const CLASS_COUNT = 5;
/** Counts below this are shown as "fewer than 5": a count of one or two people in a country is a person to find. */
export const SMALL_COUNT = 5;

const require = createRequire(import.meta.url);
const TOPOLOGY = JSON.parse(readFileSync(require.resolve('world-atlas/countries-110m.json'), 'utf8')) as Topology<{ countries: GeometryCollection }>;

export interface CountryShape {
  /** ISO 3166-1 alpha-2, when world-atlas's numeric id maps to one. */
  code: string | undefined;
  d: string;
}

export interface WorldShapes {
  width: number;
  height: number;
  countries: CountryShape[];
}

let shapes: WorldShapes | undefined;

/** The projected country paths: computed on first use, then kept for the life of the process. */
export function worldShapes(): WorldShapes {
  shapes ??= projectCountries();
  return shapes;
}

function projectCountries(): WorldShapes {
  const alpha2ByNumeric = new Map<string, string>();
  for (const code of COUNTRY_CODES) {
    const numeric = numericCountryCode(code);
    if (numeric) alpha2ByNumeric.set(numeric, code);
  }
  const topology = simplifiedTopology(TOPOLOGY, SIMPLIFY_DEGREES);
  const all = feature(topology, topology.objects.countries) as FeatureCollection<Geometry, { name?: string }>;
  const land: FeatureCollection<Geometry, { name?: string }> = { type: 'FeatureCollection', features: all.features.filter((f) => f.id !== ANTARCTICA) };
  const projection = geoEqualEarth().fitWidth(WIDTH, land);
  // Two decimals from d3, then rounded to whole units here, relative, duplicates and specks removed.
  const path = geoPath(projection).digits(2);
  const [, [, bottom]] = path.bounds(land);
  const countries: CountryShape[] = [];
  for (const country of land.features) {
    const d = compactPath(path(country) ?? '');
    if (d !== '') countries.push({ code: alpha2ByNumeric.get(String(country.id)), d });
  }
  return { width: WIDTH, height: Math.ceil(bottom), countries };
}

/** The topology with its arcs decoded and simplified. Arcs are shared by neighbours, so borders stay shared. */
function simplifiedTopology(topology: Topology<{ countries: GeometryCollection }>, tolerance: number): Topology<{ countries: GeometryCollection }> {
  const transform = topology.transform;
  const arcs = topology.arcs.map((arc) => {
    let x = 0;
    let y = 0;
    const points = arc.map(([a = 0, b = 0]) => {
      if (!transform) return [a, b];
      x += a;
      y += b;
      return [x * transform.scale[0] + transform.translate[0], y * transform.scale[1] + transform.translate[1]];
    });
    return simplifyLine(points, tolerance);
  });
  const { transform: _unused, ...rest } = topology;
  return { ...rest, arcs };
}

/** Douglas–Peucker on an open polyline, keeping both ends (where arcs meet). */
export function simplifyLine(points: number[][], tolerance: number): number[][] {
  if (points.length <= 2) return points;
  const keep = new Uint8Array(points.length);
  keep[0] = 1;
  keep[points.length - 1] = 1;
  const stack: [number, number][] = [[0, points.length - 1]];
  while (stack.length > 0) {
    const [first, last] = stack.pop()!;
    const [ax = 0, ay = 0] = points[first]!;
    const [bx = 0, by = 0] = points[last]!;
    const length = Math.hypot(bx - ax, by - ay);
    let farthest = -1;
    let distance = -1;
    for (let i = first + 1; i < last; i += 1) {
      const [px = 0, py = 0] = points[i]!;
      const d = length === 0 ? Math.hypot(px - ax, py - ay) : Math.abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length;
      if (d > distance) {
        distance = d;
        farthest = i;
      }
    }
    if (distance > tolerance) {
      keep[farthest] = 1;
      stack.push([first, farthest], [farthest, last]);
    }
  }
  return points.filter((_, i) => keep[i] === 1);
}

/**
 * d3's absolute path ("M1.23,4.56L…Z…") as a relative one on a whole-unit grid ("M1 5l3-2 4 0…z"): repeated points and
 * rings too small to see are dropped. About 40% of the size of d3's output at one decimal.
 */
export function compactPath(d: string): string {
  const out: string[] = [];
  for (const ring of d.split(/[Zz]/)) {
    const points: [number, number][] = [];
    for (const match of ring.matchAll(/[ML]\s*(-?[\d.]+(?:e-?\d+)?)[,\s]\s*(-?[\d.]+(?:e-?\d+)?)/g)) {
      const point: [number, number] = [Math.round(Number(match[1])), Math.round(Number(match[2]))];
      const last = points[points.length - 1];
      if (!last || last[0] !== point[0] || last[1] !== point[1]) points.push(point);
    }
    while (points.length > 1 && points[0]![0] === points[points.length - 1]![0] && points[0]![1] === points[points.length - 1]![1]) points.pop();
    if (points.length < 3 || Math.abs(ringArea(points)) < MIN_RING_AREA) continue;
    let [px, py] = points[0]!;
    let text = `M${px} ${py}l`;
    points.slice(1).forEach(([x, y], i) => {
      const dx = x - px;
      const dy = y - py;
      text += `${i > 0 && dx >= 0 ? ' ' : ''}${dx}${dy >= 0 ? ' ' : ''}${dy}`;
      px = x;
      py = y;
    });
    out.push(`${text}z`);
  }
  return out.join('');
}

function ringArea(points: [number, number][]): number {
  let twice = 0;
  for (let i = 0; i < points.length; i += 1) {
    const [x1, y1] = points[i]!;
    const [x2, y2] = points[(i + 1) % points.length]!;
    twice += x1 * y2 - x2 * y1;
  }
  return twice / 2;
}

// ---- Colour classes -----------------------------------------------------------------------------------------------

/**
 * The lower bound of each class, from 1 up: "nice" numbers (every whole number below 10, then 10, 20, 50, 100, 200…)
 * spaced evenly on a log scale up to the largest count, so a campaign of fifty signatures and one of a million both use
 * the whole scale. The second class starts at SMALL_COUNT or above, so every small count has the lowest class's colour
 * and the colours tell no small count from another. Fewer than five classes only when the largest count is below 8.
 */
export function classBreaks(max: number): number[] {
  if (max < 1) return [];
  const lows = [1];
  for (let k = 1; k < CLASS_COUNT; k += 1) {
    const last = lows[lows.length - 1]!;
    let nice = Math.max(niceNumber(max ** (k / CLASS_COUNT)), SMALL_COUNT);
    if (nice <= last) nice = nextNiceNumber(last);
    if (nice <= max) lows.push(nice);
  }
  return lows;
}

function niceNumber(value: number): number {
  const candidates = value < 10 ? [Math.floor(value), Math.ceil(value)] : [1, 2, 5, 10].map((m) => m * 10 ** Math.floor(Math.log10(value)));
  let best = candidates[0]!;
  for (const candidate of candidates) if (Math.abs(Math.log10(candidate / value)) < Math.abs(Math.log10(best / value))) best = candidate;
  return Math.round(best);
}

function nextNiceNumber(value: number): number {
  if (value < 10) return value + 1;
  const exponent = 10 ** Math.floor(Math.log10(value));
  return [2, 5, 10, 20].map((m) => m * exponent).find((n) => n > value)!;
}

/** The colour step (1 = lightest … 5 = darkest) of class `index` of `classes`: fewer classes spread over the scale. */
export function colourStep(index: number, classes: number): number {
  if (classes <= 1) return 3;
  return 1 + Math.round((index * (CLASS_COUNT - 1)) / (classes - 1));
}

/** The CSS class that colours a country with `count` signatures. */
export function fillClass(count: number, breaks: readonly number[]): string {
  if (count < 1 || breaks.length === 0) return 'map-none';
  let index = 0;
  while (index + 1 < breaks.length && count >= breaks[index + 1]!) index += 1;
  return `map-c${colourStep(index, breaks.length)}`;
}

// ---- Rendering ----------------------------------------------------------------------------------------------------

const percentFormats = new Map<Locale, Intl.NumberFormat>();
const collators = new Map<Locale, Intl.Collator>();

function formatShare(locale: Locale, share: number): string {
  let format = percentFormats.get(locale);
  if (!format) percentFormats.set(locale, (format = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 })));
  return format.format(share);
}

function isSmall(count: number): boolean {
  return count < SMALL_COUNT;
}

/** A class of the legend in words. The lowest is named by its top ("fewer than 5"): "1 to 3" would give the largest count away. */
function legendRange(ctx: PageContext, breaks: readonly number[], index: number, max: number): string {
  const { t, locale } = ctx;
  const low = breaks[index]!;
  const high = index + 1 < breaks.length ? breaks[index + 1]! - 1 : max;
  if (index === 0) return t('map.fewerThan', { number: formatNumber(locale, Math.max(high + 1, SMALL_COUNT)) });
  return low === high ? formatNumber(locale, low) : t('map.range', { from: formatNumber(locale, low), to: formatNumber(locale, high) });
}

/** The share column of a row whose count is not shown: its share would give the count back. */
function HiddenShare({ ctx }: { ctx: PageContext }) {
  return (
    <td class="numeric">
      <span aria-hidden="true">—</span>
      <span class="visually-hidden">{ctx.t('map.shareHidden')}</span>
    </td>
  );
}

/**
 * The others row's count and share. Small countries sort last, so when one of the others reaches SMALL_COUNT every row
 * above is exact: the others' sum is then the public total minus the rows (nothing new) and at least SMALL_COUNT.
 * Otherwise all of them are small and their sum is left out: beside the public total it would split the hidden counts
 * in two and give a small country back (one other country holding 2; or Brazil "fewer than 5" in the table with the
 * others' 4 + 4 shown as 8: Brazil = total − rows − 8).
 */
function OthersCells({ ctx, rest, total }: { ctx: PageContext; rest: readonly { count: number }[]; total: number }) {
  const { t, locale } = ctx;
  if (rest.every((row) => isSmall(row.count))) {
    const number = formatNumber(locale, SMALL_COUNT);
    return (
      <>
        <td class="numeric">{rest.length === 1 ? t('map.fewerThan', { number }) : t('map.fewerThanEach', { number })}</td>
        <HiddenShare ctx={ctx} />
      </>
    );
  }
  const restTotal = rest.reduce((sum, row) => sum + row.count, 0);
  return (
    <>
      <td class="numeric">{formatNumber(locale, restTotal)}</td>
      <td class="numeric">{formatShare(locale, restTotal / total)}</td>
    </>
  );
}

/** A country's name in the reader's language; a code Intl does not know is shown as it is. */
function nameOf(locale: Locale, code: string): string {
  try {
    return countryName(locale, code);
  } catch {
    return code;
  }
}

export interface SignatureMapProps {
  ctx: PageContext;
  /** Makes the ids in the figure unique on the page. */
  petitionId: number;
  byCountry: ReadonlyMap<string, number>;
}

/** The figure: map, legend and table. Renders nothing while no country has a counted signature. */
export function SignatureMap({ ctx, petitionId, byCountry }: SignatureMapProps) {
  const { t, locale } = ctx;
  const counted = [...byCountry].filter(([, n]) => n > 0);
  if (counted.length === 0) return null;
  const total = counted.reduce((sum, [, n]) => sum + n, 0);
  const max = Math.max(...counted.map(([, n]) => n));
  const breaks = classBreaks(max);
  const world = worldShapes();
  let collator = collators.get(locale);
  if (!collator) collators.set(locale, (collator = new Intl.Collator(locale)));
  // Small countries last and by name only: ordered by count, they would give their counts' order away.
  const rows = counted
    .map(([code, count]) => ({ code, count, name: nameOf(locale, code) }))
    .sort((a, b) => Number(isSmall(a.count)) - Number(isSmall(b.count)) || (isSmall(a.count) ? 0 : b.count - a.count) || collator!.compare(a.name, b.name));
  const top = rows.slice(0, TOP_COUNTRIES);
  const rest = rows.slice(TOP_COUNTRIES);
  const fewerThanSmall = t('map.fewerThan', { number: formatNumber(locale, SMALL_COUNT) });
  const summary = t('map.summary', { count: counted.length, total: formatNumber(locale, total), countries: formatNumber(locale, counted.length) });
  const id = (part: string) => `map-${part}-${petitionId}`;
  return (
    <figure class="signature-map">
      <figcaption>
        <h3>{t('map.heading')}</h3>
        <p>{summary}</p>
      </figcaption>
      <div class="map-layout">
        <div class="map-picture">
          <svg class="world-map" viewBox={`0 0 ${world.width} ${world.height}`} role="img" aria-labelledby={id('title')}>
            <title id={id('title')}>{summary}</title>
            {world.countries.map((shape) => (
              <path class={shape.code ? fillClass(byCountry.get(shape.code) ?? 0, breaks) : 'map-none'} d={shape.d} />
            ))}
          </svg>
          <div class="map-legend">
            <p>{t('map.legend')}</p>
            <ul>
              {breaks.map((_, index) => (
                <li>
                  <span class={`map-swatch map-c${colourStep(index, breaks.length)}`} aria-hidden="true" />
                  {legendRange(ctx, breaks, index, max)}
                </li>
              ))}
              <li>
                <span class="map-swatch map-none" aria-hidden="true" />
                {t('map.none')}
              </li>
            </ul>
          </div>
        </div>
        <table class="map-table">
          <caption>{t('map.tableCaption', { count: top.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('map.country')}</th>
              <th scope="col" class="numeric">
                {t('map.signatures')}
              </th>
              <th scope="col" class="numeric">
                {t('map.share')}
              </th>
            </tr>
          </thead>
          <tbody>
            {top.map((row) =>
              isSmall(row.count) ? (
                <tr>
                  <th scope="row">{row.name}</th>
                  <td class="numeric">{fewerThanSmall}</td>
                  <HiddenShare ctx={ctx} />
                </tr>
              ) : (
                <tr>
                  <th scope="row">{row.name}</th>
                  <td class="numeric">{formatNumber(locale, row.count)}</td>
                  <td class="numeric">{formatShare(locale, row.count / total)}</td>
                </tr>
              ),
            )}
          </tbody>
          {rest.length > 0 ? (
            <tfoot>
              <tr>
                <th scope="row">{t('map.others', { count: rest.length, formatted: formatNumber(locale, rest.length) })}</th>
                <OthersCells ctx={ctx} rest={rest} total={total} />
              </tr>
            </tfoot>
          ) : null}
        </table>
      </div>
    </figure>
  );
}
