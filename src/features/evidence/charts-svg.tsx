/**
 * The evidence page's pictures, drawn on the server: a timeline of revelations (facts by first-reported date as
 * circles, denials as crosses, confirmations as ticks) and a bar chart of the counts of public incidents. Each mark
 * has a <title> and a shape of its own, never only a colour; the page gives the same in text beside each picture, with
 * the links (an SVG with role="img" is one picture to assistive technology, so it holds none).
 */
import type { PageContext } from '../../web/context.ts';
import { formatDate, formatNumber } from '../../web/i18n.ts';
import { COUNT_KINDS, type IncidentTotals } from './model.ts';

const WIDTH = 880;
const DAY_MS = 86_400_000;

export interface TimelineMark {
  kind: 'fact' | 'denies' | 'confirms';
  date: string;
  approximate: boolean;
  label: string;
  href: string;
  lang: string | undefined;
}

const ROWS: readonly TimelineMark['kind'][] = ['fact', 'denies', 'confirms'];

function dayNumber(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / DAY_MS;
}

function MarkShape({ kind, x, y }: { kind: TimelineMark['kind']; x: number; y: number }) {
  if (kind === 'fact') return <circle cx={x} cy={y} r="6" fill="none" stroke="currentColor" stroke-width="2" />;
  if (kind === 'denies')
    return <path d={`M${x - 6} ${y - 6}L${x + 6} ${y + 6}M${x - 6} ${y + 6}L${x + 6} ${y - 6}`} stroke="currentColor" stroke-width="2.5" />;
  return <path d={`M${x - 6} ${y}L${x - 2} ${y + 5}L${x + 6} ${y - 6}`} fill="none" stroke="currentColor" stroke-width="2.5" />;
}

export function RevelationsTimelineSvg({ ctx, marks }: { ctx: PageContext; marks: readonly TimelineMark[] }) {
  const { t, locale } = ctx;
  if (marks.length === 0) return null;
  const label = 150;
  const row = 36;
  const top = 36;
  const first = Math.min(...marks.map((m) => dayNumber(m.date)));
  const last = Math.max(...marks.map((m) => dayNumber(m.date)));
  const span = Math.max(1, last - first);
  const x = (date: string) => label + 12 + ((dayNumber(date) - first) / span) * (WIDTH - label - 36);
  const height = top + ROWS.length * row + 8;
  const fmt = (date: string) => formatDate(locale, date, { dateStyle: 'medium' });
  const firstDate = new Date(first * DAY_MS).toISOString().slice(0, 10);
  const lastDate = new Date(last * DAY_MS).toISOString().slice(0, 10);
  return (
    <figure class="timeline">
      <svg viewBox={`0 0 ${WIDTH} ${height}`} width="100%" role="img" aria-labelledby="evidence-timeline-caption" xmlns="http://www.w3.org/2000/svg">
        <title>{t('evidence.timeline')}</title>
        <line x1={label} y1={top - 12} x2={WIDTH - 20} y2={top - 12} stroke="currentColor" />
        <text x={label} y={top - 18} font-size="12" fill="currentColor">
          {fmt(firstDate)}
        </text>
        <text x={WIDTH - 20} y={top - 18} font-size="12" text-anchor="end" fill="currentColor">
          {fmt(lastDate)}
        </text>
        {ROWS.map((kind, i) => {
          const y = top + i * row + row / 2;
          return (
            <g>
              <text x={label - 8} y={y + 4} font-size="13" text-anchor="end" fill="currentColor">
                {t(`evidence.mark_${kind}`)}
              </text>
              <line x1={label} y1={y} x2={WIDTH - 20} y2={y} stroke="currentColor" stroke-opacity="0.2" />
              {marks
                .filter((m) => m.kind === kind)
                .map((m) => (
                  <g>
                    <title>{`${m.approximate ? '≈ ' : ''}${fmt(m.date)}: ${m.label}`}</title>
                    <MarkShape kind={kind} x={x(m.date)} y={y} />
                  </g>
                ))}
            </g>
          );
        })}
      </svg>
      <figcaption id="evidence-timeline-caption">{t('evidence.timelineCaption')}</figcaption>
    </figure>
  );
}

/** One bar per kind of count; a kind no public incident knows is drawn as a dashed outline marked "not known". */
export function CountsChartSvg({ ctx, totals }: { ctx: PageContext; totals: IncidentTotals }) {
  const { t, locale } = ctx;
  const label = 190;
  const row = 30;
  const top = 12;
  const max = Math.max(1, ...COUNT_KINDS.map((kind) => totals[kind].total));
  const barWidth = (value: number) => (value / max) * (WIDTH - label - 140);
  const height = top + COUNT_KINDS.length * row + 8;
  return (
    <figure class="counts-chart">
      <svg viewBox={`0 0 ${WIDTH} ${height}`} width="100%" role="img" aria-labelledby="counts-chart-caption" xmlns="http://www.w3.org/2000/svg">
        <title>{t('evidence.countsHeading')}</title>
        {COUNT_KINDS.map((kind, i) => {
          const y = top + i * row;
          const total = totals[kind];
          const known = total.known > 0;
          const text = known ? formatNumber(locale, total.total) : t('evidence.notKnown');
          return (
            <g data-kind={kind} data-count={total.total}>
              <title>{`${t(`evidence.count_${kind}`)}: ${text}`}</title>
              <text x={label - 8} y={y + row / 2 + 4} font-size="13" text-anchor="end" fill="currentColor">
                {t(`evidence.count_${kind}`)}
              </text>
              {known ? (
                <rect x={label} y={y + 5} width={Math.max(1, barWidth(total.total))} height={row - 10} fill="currentColor" />
              ) : (
                <rect x={label} y={y + 5} width="40" height={row - 10} fill="none" stroke="currentColor" stroke-dasharray="4 3" />
              )}
              <text x={label + (known ? Math.max(1, barWidth(total.total)) : 40) + 8} y={y + row / 2 + 4} font-size="13" fill="currentColor">
                {text}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption id="counts-chart-caption">{t('evidence.countsChartCaption')}</figcaption>
    </figure>
  );
}
