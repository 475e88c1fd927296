import { withChildRows } from '../../db/child-rows.ts';
import type { Database } from '../../db/database.ts';
import type { CampaignRow, CampaignStatus, CampaignTextRow } from '../../db/schema.ts';
import { isLocale, type Locale } from '../../web/i18n.ts';
import type { Campaign, CampaignInput, CampaignText } from './model.ts';

function toCampaign(row: CampaignRow, textRows: CampaignTextRow[]): Campaign {
  const texts: Partial<Record<Locale, CampaignText>> = {};
  for (const t of textRows) {
    if (isLocale(t.locale)) texts[t.locale] = { title: t.title, summary: t.summary, storyMd: t.story_md, counterLabel: t.counter_label };
  }
  return {
    id: Number(row.id),
    slug: row.slug,
    hashtag: row.hashtag,
    goal: row.goal,
    startDate: row.start_date,
    startDateApproximate: row.start_date_approximate === 1,
    locales: row.locales.split(',').filter(isLocale),
    featured: row.featured === 1,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    publishedAt: row.published_at,
    texts,
  };
}

function withTexts(db: Database, rows: CampaignRow[]): Promise<Campaign[]> {
  return withChildRows(rows, {
    load: (ids) => db.selectFrom('campaign_texts').selectAll().where('campaign_id', 'in', ids).execute(),
    parentIdOf: (text) => text.campaign_id,
    build: toCampaign,
  });
}

export async function findCampaignBySlug(db: Database, slug: string): Promise<Campaign | undefined> {
  const row = await db.selectFrom('campaigns').selectAll().where('slug', '=', slug).executeTakeFirst();
  return row ? (await withTexts(db, [row]))[0] : undefined;
}

export async function findCampaignById(db: Database, id: number): Promise<Campaign | undefined> {
  const row = await db.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? (await withTexts(db, [row]))[0] : undefined;
}

export async function listCampaigns(db: Database, options: { statuses: CampaignStatus[] }): Promise<Campaign[]> {
  const rows = await db
    .selectFrom('campaigns')
    .selectAll()
    .where('status', 'in', options.statuses)
    .orderBy('featured', 'desc')
    .orderBy('updated_at', 'desc')
    .execute();
  return withTexts(db, rows);
}

export async function countCampaigns(db: Database): Promise<number> {
  const row = await db
    .selectFrom('campaigns')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function isSlugTaken(db: Database, slug: string, exceptId?: number): Promise<boolean> {
  let query = db.selectFrom('campaigns').select('id').where('slug', '=', slug);
  if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

function campaignColumns(input: CampaignInput) {
  return {
    slug: input.slug,
    hashtag: input.hashtag,
    goal: input.goal,
    start_date: input.startDate,
    start_date_approximate: input.startDateApproximate ? (1 as const) : (0 as const),
    locales: input.locales.join(','),
    featured: input.featured ? (1 as const) : (0 as const),
  };
}

export async function insertCampaign(db: Database, input: CampaignInput, now: string): Promise<number> {
  const row = await db
    .insertInto('campaigns')
    .values({ ...campaignColumns(input), status: 'draft', created_at: now, updated_at: now, published_at: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  const id = Number(row.id);
  await replaceTexts(db, id, input.texts);
  return id;
}

export async function updateCampaignRow(db: Database, id: number, input: CampaignInput, now: string): Promise<void> {
  await db
    .updateTable('campaigns')
    .set({ ...campaignColumns(input), updated_at: now })
    .where('id', '=', id)
    .execute();
  await replaceTexts(db, id, input.texts);
}

async function replaceTexts(db: Database, campaignId: number, texts: Partial<Record<Locale, CampaignText>>): Promise<void> {
  await db.deleteFrom('campaign_texts').where('campaign_id', '=', campaignId).execute();
  const rows = Object.entries(texts).map(([locale, text]) => ({
    campaign_id: campaignId,
    locale,
    title: text.title,
    summary: text.summary,
    story_md: text.storyMd,
    counter_label: text.counterLabel,
  }));
  if (rows.length > 0) await db.insertInto('campaign_texts').values(rows).execute();
}

export async function setCampaignStatus(db: Database, id: number, status: CampaignStatus, now: string, publishedAt: string | null): Promise<void> {
  await db.updateTable('campaigns').set({ status, updated_at: now, published_at: publishedAt }).where('id', '=', id).execute();
}

/** Only one campaign is featured at a time; returns the ids that lost the flag. */
export async function unfeatureOthers(db: Database, keepId: number): Promise<number[]> {
  const others = await db.selectFrom('campaigns').select('id').where('featured', '=', 1).where('id', '!=', keepId).execute();
  if (others.length > 0) await db.updateTable('campaigns').set({ featured: 0 }).where('featured', '=', 1).where('id', '!=', keepId).execute();
  return others.map((o) => Number(o.id));
}
