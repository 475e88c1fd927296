/**
 * node --import tsx bench/map.tsx — the signature map's size and render time: the first render (which projects the
 * world once for the process) and later ones (only the fills change). Not a test: nothing here asserts timing.
 */
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { render } from 'preact-render-to-string';
import type { PageContext } from '../src/web/context.ts';

const loadStart = performance.now();
const { SignatureMap, worldShapes } = await import('../src/features/map/world-map.tsx');
const loadMs = performance.now() - loadStart;
const { translator } = await import('../src/web/i18n.ts');

const ctx: PageContext = {
  locale: 'en',
  t: translator('en'),
  path: '/',
  user: undefined,
  cssUrl: '',
  jsUrl: '',
  adminJsUrl: '',
  adminNav: [],
  csrfToken: () => '',
};
const counts = new Map([
  ['RU', 1200],
  ['DE', 340],
  ['GB', 95],
  ['US', 600],
  ['FR', 20],
  ['BR', 3],
  ['AU', 7],
  ['IN', 1],
  ['CN', 50],
  ['ZA', 9],
  ['NO', 2],
  ['SG', 4],
]);

const firstStart = performance.now();
const first = render(<SignatureMap ctx={ctx} petitionId={1} byCountry={counts} />);
const firstMs = performance.now() - firstStart;
const RUNS = 500;
const laterStart = performance.now();
for (let i = 0; i < RUNS; i += 1) render(<SignatureMap ctx={ctx} petitionId={1} byCountry={counts} />);
const laterMs = (performance.now() - laterStart) / RUNS;

const svg = /<svg[\s\S]*<\/svg>/.exec(first)![0];
const world = worldShapes();
console.log(
  JSON.stringify(
    {
      moduleLoadMs: Number(loadMs.toFixed(1)),
      firstRenderMs: Number(firstMs.toFixed(1)),
      laterRenderMs: Number(laterMs.toFixed(3)),
      svgBytes: Buffer.byteLength(svg),
      svgGzipBytes: gzipSync(svg).length,
      figureBytes: Buffer.byteLength(first),
      figureGzipBytes: gzipSync(first).length,
      countryShapes: world.countries.length,
      viewBox: `0 0 ${world.width} ${world.height}`,
    },
    null,
    2,
  ),
);
if (process.argv[2]) (await import('node:fs')).writeFileSync(process.argv[2], first);
