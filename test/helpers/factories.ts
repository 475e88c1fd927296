/** Factories: each test makes exactly the data it needs, with unique values so tests never collide. */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../src/db/database.ts';
import type { Role } from '../../src/db/schema.ts';
import type { CampaignInput } from '../../src/features/campaigns/model.ts';
import { changeCampaignStatus, createCampaign } from '../../src/features/campaigns/service.ts';
import { addOrResetUser } from '../../src/features/users/service.ts';
import { Browser } from './http.ts';

export function uniqueSuffix(): string {
  return randomBytes(4).toString('hex');
}

export async function makeUser(db: Database, role: Role = 'owner'): Promise<{ id: number; email: string; password: string; role: Role }> {
  const email = `organiser-${uniqueSuffix()}@example.org`;
  const password = `correct horse ${uniqueSuffix()}`;
  const { id } = await addOrResetUser(db, { email, password, role });
  return { id, email, password, role };
}

export function campaignInput(overrides: Partial<CampaignInput> = {}): CampaignInput {
  const suffix = uniqueSuffix();
  return {
    slug: `campaign-${suffix}`,
    hashtag: `Tag${suffix}`,
    goal: 5000,
    startDate: '2020-01-15',
    startDateApproximate: false,
    locales: ['en'],
    featured: false,
    texts: { en: { title: `Campaign ${suffix}`, summary: 'A summary.', storyMd: 'The **story**.', counterLabel: '' } },
    ...overrides,
  };
}

export async function makeCampaign(
  db: Database,
  options: { status?: 'draft' | 'published' | 'archived'; input?: Partial<CampaignInput> } = {},
): Promise<{ id: number; input: CampaignInput }> {
  const input = campaignInput(options.input);
  const id = await createCampaign(db, { userId: null, input });
  if (options.status && options.status !== 'draft') await changeCampaignStatus(db, { userId: null, id, status: options.status });
  return { id, input };
}

/** The form fields an organiser would submit for `input`. */
export function campaignFormFields(input: CampaignInput): Record<string, string | string[] | undefined> {
  const fields: Record<string, string | string[] | undefined> = {
    slug: input.slug,
    hashtag: input.hashtag,
    goal: String(input.goal),
    start_date: input.startDate,
    start_date_approximate: input.startDateApproximate ? '1' : undefined,
    locales: input.locales,
    featured: input.featured ? '1' : undefined,
  };
  for (const [locale, text] of Object.entries(input.texts)) {
    fields[`title_${locale}`] = text.title;
    fields[`summary_${locale}`] = text.summary;
    fields[`story_${locale}`] = text.storyMd;
    fields[`counter_label_${locale}`] = text.counterLabel;
  }
  return fields;
}

/** A browser session logged in as a new user with `role`. */
export async function loggedIn(app: FastifyInstance, db: Database, role: Role = 'owner'): Promise<{ browser: Browser; user: Awaited<ReturnType<typeof makeUser>> }> {
  const user = await makeUser(db, role);
  const browser = new Browser(app);
  const response = await browser.post('/admin/login', { email: user.email, password: user.password });
  if (response.statusCode !== 303) throw new Error(`login failed: ${response.statusCode}`);
  return { browser, user };
}
