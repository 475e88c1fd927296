import type { Database } from '../../db/database.ts';
import type { CampaignStatus } from '../../db/schema.ts';
import { AppError, type FieldErrors } from '../../errors.ts';
import { isLocale, LOCALES, type Locale } from '../../web/i18n.ts';
import { isIsoDate, readCheckbox, readCheckboxGroup, readText, readWholeNumber, type FormBody } from '../../web/form.ts';
import { diffFields, recordAudit } from '../audit/index.ts';
import { cachedRead, forgetCachedReads } from '../../db/read-cache.ts';
import type { Campaign, CampaignInput, CampaignText } from './model.ts';
import {
  findCampaignById,
  findCampaignBySlug,
  insertCampaign,
  isSlugTaken,
  listCampaigns,
  setCampaignStatus,
  unfeatureOthers,
  updateCampaignRow,
} from './queries.ts';

export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const HASHTAG_PATTERN = /^[\p{L}\p{N}_]{1,100}$/u;
/** The largest goal (and milestone) a campaign or petition may set. */
export const MAX_GOAL = 1_000_000_000;

/** Reads the `goal` field: a whole number of supporters, separators allowed. */
export function readGoal(body: FormBody, errors: FieldErrors): number {
  return readWholeNumber(body, 'goal', { required: true, max: MAX_GOAL, message: 'validation.goal' }, errors);
}

/** Turns a submitted campaign form into a CampaignInput, or throws a validation error naming each bad field. */
export function parseCampaignForm(body: FormBody): CampaignInput {
  const errors: FieldErrors = {};
  const slug = readText(body, 'slug', { required: true, max: 80 }, errors).toLowerCase();
  if (!errors['slug'] && (slug.length < 3 || !SLUG_PATTERN.test(slug))) errors['slug'] = 'validation.slug';

  const hashtag = readText(body, 'hashtag', { required: true, max: 101 }, errors).replace(/^#/, '');
  if (!errors['hashtag'] && !HASHTAG_PATTERN.test(hashtag)) errors['hashtag'] = 'validation.hashtag';

  const goal = readGoal(body, errors);

  const startDate = readText(body, 'start_date', { required: true, max: 10 }, errors);
  if (!errors['start_date'] && !isIsoDate(startDate)) errors['start_date'] = 'validation.date';

  const chosen = readCheckboxGroup(body, 'locales');
  const locales = LOCALES.filter((l) => chosen.includes(l));
  if (locales.length === 0 || chosen.some((c) => !isLocale(c))) errors['locales'] = 'validation.locales';

  const texts: Partial<Record<Locale, CampaignText>> = {};
  for (const locale of LOCALES) {
    const required = locales.includes(locale);
    const text: CampaignText = {
      title: readText(body, `title_${locale}`, { required, max: 200 }, errors),
      summary: readText(body, `summary_${locale}`, { max: 500, multiline: true }, errors),
      storyMd: readText(body, `story_${locale}`, { required, max: 50_000, multiline: true }, errors),
      counterLabel: readText(body, `counter_label_${locale}`, { max: 100 }, errors),
    };
    // Text in a language that is not (yet) published is kept, so unticking a language loses nothing.
    if (required || text.title || text.summary || text.storyMd || text.counterLabel) texts[locale] = text;
  }

  if (Object.keys(errors).length > 0) {
    throw new AppError('validation_failed', 'Some campaign fields are not valid', { fields: errors });
  }
  return {
    slug,
    hashtag,
    goal,
    startDate,
    startDateApproximate: readCheckbox(body, 'start_date_approximate'),
    locales,
    featured: readCheckbox(body, 'featured'),
    texts,
  };
}

function flattenForAudit(input: CampaignInput | Campaign): Record<string, unknown> {
  const flat: Record<string, unknown> = {
    slug: input.slug,
    hashtag: input.hashtag,
    goal: input.goal,
    startDate: input.startDate,
    startDateApproximate: input.startDateApproximate,
    locales: input.locales.join(','),
    featured: input.featured,
  };
  for (const [locale, text] of Object.entries(input.texts)) {
    flat[`title_${locale}`] = text.title;
    flat[`summary_${locale}`] = text.summary;
    flat[`story_${locale}`] = text.storyMd;
    flat[`counterLabel_${locale}`] = text.counterLabel;
  }
  return flat;
}

async function assertSlugFree(db: Database, slug: string, exceptId?: number): Promise<void> {
  if (await isSlugTaken(db, slug, exceptId)) {
    throw new AppError('validation_failed', 'That slug is taken', { fields: { slug: 'validation.slugTaken' } });
  }
}

export async function createCampaign(db: Database, options: { userId: number | null; input: CampaignInput }): Promise<number> {
  const { input, userId } = options;
  const id = await db.transaction().execute(async (trx) => {
    await assertSlugFree(trx, input.slug);
    const now = new Date().toISOString();
    const newId = await insertCampaign(trx, input, now);
    await recordAudit(trx, { userId, action: 'campaign.create', entityType: 'campaign', entityId: newId, changes: diffFields({}, flattenForAudit(input)) });
    if (input.featured) await unfeatureWithAudit(trx, newId, userId);
    return newId;
  });
  forgetCachedReads(db);
  return id;
}

export async function updateCampaign(db: Database, options: { userId: number | null; id: number; input: CampaignInput }): Promise<void> {
  const { input, userId, id } = options;
  await db.transaction().execute(async (trx) => {
    const before = await findCampaignById(trx, id);
    if (!before) throw new AppError('not_found', 'No such campaign.');
    await assertSlugFree(trx, input.slug, id);
    const changes = diffFields(flattenForAudit(before), flattenForAudit(input));
    if (Object.keys(changes).length === 0) return;
    await updateCampaignRow(trx, id, input, new Date().toISOString());
    await recordAudit(trx, { userId, action: 'campaign.update', entityType: 'campaign', entityId: id, changes });
    if (input.featured && !before.featured) await unfeatureWithAudit(trx, id, userId);
  });
  forgetCachedReads(db);
}

async function unfeatureWithAudit(db: Database, keepId: number, userId: number | null): Promise<void> {
  for (const otherId of await unfeatureOthers(db, keepId)) {
    await recordAudit(db, { userId, action: 'campaign.unfeature', entityType: 'campaign', entityId: otherId, changes: { featured: [true, false] } });
  }
}

export async function changeCampaignStatus(db: Database, options: { userId: number | null; id: number; status: CampaignStatus }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const before = await findCampaignById(trx, options.id);
    if (!before) throw new AppError('not_found', 'No such campaign.');
    if (before.status === options.status) return;
    const now = new Date().toISOString();
    const publishedAt = options.status === 'published' ? (before.publishedAt ?? now) : before.publishedAt;
    await setCampaignStatus(trx, options.id, options.status, now, publishedAt);
    await recordAudit(trx, {
      userId: options.userId,
      action: `campaign.${options.status === 'published' ? 'publish' : options.status === 'archived' ? 'archive' : 'unpublish'}`,
      entityType: 'campaign',
      entityId: options.id,
      changes: { status: [before.status, options.status] },
    });
  });
  forgetCachedReads(db);
}

/**
 * Marks a campaign changed when something its pages show changes elsewhere (another feature's records): its cached
 * pages are keyed on the campaign's last change, in every process.
 */
export async function touchCampaign(db: Database, id: number): Promise<void> {
  await db.updateTable('campaigns').set({ updated_at: new Date().toISOString() }).where('id', '=', id).execute();
  forgetCachedReads(db);
}

/** A campaign the public may see: published, or archived (kept as a record). Drafts do not exist publicly. */
export async function getPublicCampaign(db: Database, slug: string): Promise<Campaign> {
  const campaign = SLUG_PATTERN.test(slug) && slug.length <= 80 ? await cachedRead(db, `slug:${slug}`, () => findCampaignBySlug(db, slug)) : undefined;
  if (!campaign || campaign.status === 'draft') throw new AppError('not_found', 'No such campaign.');
  return campaign;
}

export async function getCampaignForAdmin(db: Database, id: number | undefined): Promise<Campaign> {
  const campaign = id !== undefined && Number.isSafeInteger(id) && id > 0 ? await findCampaignById(db, id) : undefined;
  if (!campaign) throw new AppError('not_found', 'No such campaign.');
  return campaign;
}

/** For the home page: the featured published campaign if there is one, and every published campaign. */
export async function getHomeCampaigns(db: Database): Promise<{ featured: Campaign | undefined; published: Campaign[] }> {
  const published = await cachedRead(db, 'published', () => listCampaigns(db, { statuses: ['published'] }));
  return { featured: published.find((c) => c.featured), published };
}

export function listCampaignsForAdmin(db: Database): Promise<Campaign[]> {
  return listCampaigns(db, { statuses: ['draft', 'published', 'archived'] });
}
