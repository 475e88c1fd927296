/**
 * The timeline as an SVG drawn on the server: one row per target, asks as hollow circles, statements as squares
 * (filled when they answer), silence as a dashed line running to today, petition milestones as ticks on the axis.
 * Every mark has a <title>; the same facts are listed in text below it on the page, so nothing is told by the picture
 * alone (nor by colour, which it does not use).
 */
import type { PageContext } from '../../web/context.ts';
import { formatDate, formatNumber } from '../../web/i18n.ts';
import { STANCE_SYMBOLS, targetText } from './model.ts';
import type { ScoreboardEntry } from './scoreboard.ts';

const WIDTH = 880;
const LABEL = 200;
const ROW = 28;
const TOP = 40;
const DAY_MS = 86_400_000;

export interface TimelineMilestone {
  date: string;
  label: string;
}

function dayNumber(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / DAY_MS;
}

/** 1 January of each year inside the span, when the span is long enough for years to mean something. */
function yearTicks(firstDay: number, lastDay: number): number[] {
  const from = new Date(firstDay * DAY_MS).getUTCFullYear() + 1;
  const to = new Date(lastDay * DAY_MS).getUTCFullYear();
  return lastDay - firstDay > 400 ? Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i) : [];
}

export function TimelineSvg({
  ctx,
  entries,
  today,
  milestones,
}: {
  ctx: PageContext;
  entries: readonly ScoreboardEntry[];
  today: string;
  milestones: readonly TimelineMilestone[];
}) {
  const { t, locale } = ctx;
  const dates = [...entries.flatMap((e) => [...e.asks.map((a) => a.askedOn), ...e.statements.map((s) => s.statedOn)]), ...milestones.map((m) => m.date)];
  if (dates.length === 0) return null;
  const first = Math.min(...dates.map(dayNumber));
  const last = Math.max(dayNumber(today), ...dates.map(dayNumber));
  const span = Math.max(1, last - first);
  const x = (date: string) => LABEL + 12 + ((dayNumber(date) - first) / span) * (WIDTH - LABEL - 32);
  const height = TOP + entries.length * ROW + 30;
  const fmt = (date: string) => formatDate(locale, date, { dateStyle: 'medium', timeZone: 'UTC' });
  const startDate = new Date(first * DAY_MS).toISOString().slice(0, 10);
  return (
    <figure class="timeline">
      <svg viewBox={`0 0 ${WIDTH} ${height}`} width="100%" role="img" aria-labelledby="timeline-caption" xmlns="http://www.w3.org/2000/svg">
        <title>{t('accountability.timeline')}</title>
        <line x1={LABEL} y1={TOP - 12} x2={WIDTH - 20} y2={TOP - 12} stroke="currentColor" />
        <text x={LABEL} y={TOP - 18} font-size="12" fill="currentColor">
          {fmt(startDate)}
        </text>
        <text x={WIDTH - 20} y={TOP - 18} font-size="12" text-anchor="end" fill="currentColor">
          {fmt(today)}
        </text>
        {yearTicks(first, last).map((year) => (
          <g>
            <line x1={x(`${year}-01-01`)} y1={TOP - 16} x2={x(`${year}-01-01`)} y2={TOP - 8} stroke="currentColor" />
            <text x={x(`${year}-01-01`)} y={TOP - 2} font-size="10" text-anchor="middle" fill="currentColor">
              {year}
            </text>
          </g>
        ))}
        {milestones.map((m) => (
          <g>
            <title>{`${fmt(m.date)}: ${m.label}`}</title>
            <line x1={x(m.date)} y1={TOP - 16} x2={x(m.date)} y2={height - 24} stroke="currentColor" stroke-dasharray="1 3" />
            <text x={x(m.date)} y={height - 10} font-size="11" text-anchor="middle" fill="currentColor">
              ▲
            </text>
          </g>
        ))}
        {entries.map((entry, row) => {
          const y = TOP + row * ROW + ROW / 2;
          const { name } = targetText(entry.target, locale);
          const { silentSince } = entry.standing;
          return (
            <g>
              <text x={LABEL - 8} y={y + 4} font-size="13" text-anchor="end" fill="currentColor">
                {name.length > 28 ? `${name.slice(0, 27)}…` : name}
              </text>
              <line x1={LABEL} y1={y} x2={WIDTH - 20} y2={y} stroke="currentColor" stroke-opacity="0.2" />
              {silentSince ? (
                <line x1={x(silentSince)} y1={y} x2={x(today)} y2={y} stroke="currentColor" stroke-width="2" stroke-dasharray="6 4">
                  <title>
                    {t('accountability.silentFor', {
                      name,
                      count: entry.standing.silentDays ?? 0,
                      formatted: formatNumber(locale, entry.standing.silentDays ?? 0),
                    })}
                  </title>
                </line>
              ) : null}
              {entry.asks.map((ask) => (
                <circle cx={x(ask.askedOn)} cy={y} r="6" fill="white" stroke="currentColor" stroke-width="2">
                  <title>{`${fmt(ask.askedOn)}: ${t('accountability.asked')} (${t(`accountability.channel_${ask.channel}`)})`}</title>
                </circle>
              ))}
              {entry.statements.map((statement) => (
                <g>
                  <title>{`${fmt(statement.statedOn)}: ${STANCE_SYMBOLS[statement.stance]} ${t(`accountability.stance_${statement.stance}`)}`}</title>
                  <rect
                    x={x(statement.statedOn) - 6}
                    y={y - 6}
                    width="12"
                    height="12"
                    fill={statement.answersAsk ? 'currentColor' : 'white'}
                    stroke="currentColor"
                    stroke-width="2"
                  />
                </g>
              ))}
            </g>
          );
        })}
      </svg>
      <figcaption id="timeline-caption">{t('accountability.timelineCaption')}</figcaption>
    </figure>
  );
}
