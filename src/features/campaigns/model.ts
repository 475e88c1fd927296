import type { CampaignStatus } from '../../db/schema.ts';
import type { Locale } from '../../web/i18n.ts';

export interface CampaignText {
  title: string;
  summary: string;
  storyMd: string;
  counterLabel: string;
}

export interface Campaign {
  id: number;
  slug: string;
  /** Without the leading #. */
  hashtag: string;
  goal: number;
  /** YYYY-MM-DD */
  startDate: string;
  startDateApproximate: boolean;
  /** Published languages, the first being the campaign's main language. */
  locales: Locale[];
  featured: boolean;
  status: CampaignStatus;
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
  texts: Partial<Record<Locale, CampaignText>>;
}

/** What an organiser submits when creating or editing a campaign, after validation. */
export interface CampaignInput {
  slug: string;
  hashtag: string;
  goal: number;
  startDate: string;
  startDateApproximate: boolean;
  locales: Locale[];
  featured: boolean;
  texts: Partial<Record<Locale, CampaignText>>;
}

/** The text to show in `locale`, falling back to the campaign's main language. */
export function textFor(campaign: Campaign, locale: Locale): { text: CampaignText; locale: Locale; translated: boolean } {
  const own = campaign.locales.includes(locale) ? campaign.texts[locale] : undefined;
  if (own) return { text: own, locale, translated: true };
  const main = campaign.locales.find((l) => campaign.texts[l]) ?? (Object.keys(campaign.texts)[0] as Locale);
  return { text: campaign.texts[main]!, locale: main, translated: false };
}

/** Whole days from the start date to today (UTC), never negative. */
export function daysSince(startDate: string, now = new Date()): number {
  const start = Date.parse(`${startDate}T00:00:00Z`);
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Math.max(0, Math.floor((today - start) / 86_400_000));
}
