/**
 * Targets, asks and statements as the pages and the API see them, and the one computation that matters: where each
 * target stands now — its latest stance, and whether (and since when) it has stayed silent.
 */
import type { AskChannel, Stance, TargetKind } from '../../db/schema.ts';
import type { Locale } from '../../web/i18n.ts';

export const STANCES: readonly Stance[] = ['denied', 'dismissed', 'no-knowledge', 'acknowledged', 'concern', 'committed', 'acted'];
export const CHANNELS: readonly AskChannel[] = ['petition-delivery', 'open-letter', 'meeting', 'public-call', 'milestone'];
export const TARGET_KINDS: readonly TargetKind[] = ['person', 'institution'];

/** A symbol beside each stance's words (never colour, never the symbol alone). */
export const STANCE_SYMBOLS: Readonly<Record<Stance, string>> = {
  denied: '✗',
  dismissed: '⊘',
  'no-knowledge': '?',
  acknowledged: '!',
  concern: '◐',
  committed: '◆',
  acted: '✓',
};

export interface TargetText {
  name: string;
  office: string;
}

export interface Target {
  id: number;
  campaignId: number;
  kind: TargetKind;
  country: string | null;
  links: string[];
  position: number;
  texts: Partial<Record<Locale, TargetText>>;
  updatedAt: string;
}

export interface Ask {
  id: number;
  targetId: number;
  askedOn: string;
  dateApproximate: boolean;
  channel: AskChannel;
  summary: string;
  lang: string;
}

export interface Source {
  publisher: string;
  url: string;
  publishedOn: string | null;
}

export interface Statement {
  id: number;
  targetId: number;
  statedOn: string;
  dateApproximate: boolean;
  stance: Stance;
  answersAsk: boolean;
  quote: string;
  /** Their exact words, or (false) what a source reports they said. */
  verbatim: boolean;
  lang: string;
  sources: Source[];
}

export interface TargetInput {
  kind: TargetKind;
  country: string | null;
  links: string[];
  texts: Partial<Record<Locale, TargetText>>;
}

export type AskInput = Omit<Ask, 'id' | 'targetId'>;
export type StatementInput = Omit<Statement, 'id' | 'targetId'>;

/**
 * Where a target stands on a given day. `silentSince` is the first ask that nothing has answered since: a later ask
 * does not restart the count (asked in April and again in July, silent since April), and an answering statement on
 * or after an ask's day answers it and every earlier one.
 */
export interface Standing {
  stance: Stance | null;
  latestStatementOn: string | null;
  asks: number;
  lastAnsweredOn: string | null;
  silentSince: string | null;
  silentDays: number | null;
}

export function standingOf(asks: readonly Ask[], statements: readonly Statement[], today: string): Standing {
  const byDate = [...statements].sort((a, b) => a.statedOn.localeCompare(b.statedOn) || a.id - b.id);
  const latest = byDate.at(-1);
  const lastAnsweredOn = byDate.filter((s) => s.answersAsk).at(-1)?.statedOn ?? null;
  const open = asks
    .filter((ask) => lastAnsweredOn === null || ask.askedOn > lastAnsweredOn)
    .map((ask) => ask.askedOn)
    .sort();
  const silentSince = open[0] ?? null;
  return {
    stance: latest?.stance ?? null,
    latestStatementOn: latest?.statedOn ?? null,
    asks: asks.length,
    lastAnsweredOn,
    silentSince,
    silentDays: silentSince === null ? null : calendarDaysBetween(silentSince, today),
  };
}

/**
 * Whole calendar days from one date to another, both `YYYY-MM-DD`: counted on the calendar, not from elapsed
 * milliseconds, so a daylight-saving change (a 23- or 25-hour day) never gains or loses one. Never negative.
 */
export function calendarDaysBetween(from: string, to: string): number {
  return Math.max(0, Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000));
}

/** The calendar date it is now in a time zone: the day silence counters count to. */
export function todayIn(timeZone: string, now: Date): string {
  let format = dayFormats.get(timeZone);
  // en-CA formats as YYYY-MM-DD. Made once per zone: the campaign page asks on every view.
  if (!format) dayFormats.set(timeZone, (format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  return format.format(now);
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The target's name and office in `locale`, else in the first language it has. */
export function targetText(target: Target, locale: Locale): TargetText {
  return target.texts[locale] ?? Object.values(target.texts)[0] ?? { name: `#${target.id}`, office: '' };
}
