/** Factories: each test makes exactly the data it needs, with unique values so tests never collide. */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../src/db/database.ts';
import type { Role } from '../../src/db/schema.ts';
import type { CampaignInput } from '../../src/features/campaigns/model.ts';
import { changeCampaignStatus, createCampaign } from '../../src/features/campaigns/service.ts';
import { addOrResetUser } from '../../src/features/users/service.ts';
import { generateOrganisationKeyPair, type OrganisationKeyPair } from '../../src/crypto/hpke.ts';
import { activateOrganisationKey } from '../../src/features/keys/queries.ts';
import type { PetitionInput } from '../../src/features/petitions/model.ts';
import { createPetition } from '../../src/features/petitions/service.ts';
import { issueFormStamp } from '../../src/web/form-stamp.ts';
import { decryptForServer } from '../../src/crypto/data-key.ts';
import type { StatementInput } from '../../src/features/accountability/model.ts';
import { addStatement, createTarget, getTarget } from '../../src/features/accountability/service.ts';
import { Browser } from './http.ts';
import { confirmationMail, confirmationMails, type ConfirmationPayload } from '../../src/features/petitions/signing/mails.ts';

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
export async function loggedIn(
  app: FastifyInstance,
  db: Database,
  role: Role = 'owner',
): Promise<{ browser: Browser; user: Awaited<ReturnType<typeof makeUser>> }> {
  const user = await makeUser(db, role);
  const browser = new Browser(app);
  const response = await browser.post('/admin/login', { email: user.email, password: user.password });
  if (response.statusCode !== 303) throw new Error(`login failed: ${response.statusCode}`);
  return { browser, user };
}

/** An open petition on `campaignId`, in English (and Russian if asked), with no milestones unless given. */
export async function makePetition(db: Database, campaignId: number, overrides: Partial<PetitionInput> = {}): Promise<{ id: number; input: PetitionInput }> {
  const suffix = uniqueSuffix();
  const input: PetitionInput = {
    goal: 1000,
    milestones: [],
    texts: {
      en: { title: `Petition ${suffix}`, target: 'The Minister', bodyMd: 'We ask the **Minister** to act.' },
      ru: { title: `Петиция ${suffix}`, target: 'Министру', bodyMd: 'Мы просим **министра** действовать.' },
    },
    ...overrides,
  };
  const id = await createPetition(db, { userId: null, campaignId, input });
  return { id, input };
}

/**
 * A new organisation key pair, made active. The secret half stays with the test (as it would on an organiser's
 * machine) to open what was sealed. Pass the app's sealer so it drops its cached key at once.
 */
export async function makeOrganisationKey(db: Database, sealer?: { keyChanged(): void }): Promise<OrganisationKeyPair> {
  const pair = await generateOrganisationKeyPair();
  await activateOrganisationKey(db, { keyId: pair.keyId, publicKey: pair.publicKey });
  sealer?.keyChanged();
  return pair;
}

/**
 * The fields of a valid signing form. `ts` is a form stamp issued five seconds ago (people take seconds to fill a
 * form; a younger stamp marks the signature suspect). Set a field to undefined to leave it out.
 */
export function signFields(app: FastifyInstance, overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const suffix = uniqueSuffix();
  return {
    name: `Alex Signer${suffix}`,
    email: `signer-${suffix}@example.org`,
    country: 'GB',
    postcode: `SW1A ${suffix.slice(0, 3)}`,
    consent: '1',
    ts: issueFormStamp(app.deps.keys.formStamp, Date.now() - 5000),
    ...overrides,
  };
}

export interface QueuedConfirmation extends ConfirmationPayload {
  jobId: number;
}

/** Confirmation mails waiting in the job queue (decrypted with the server's data key), oldest first. */
export async function queuedConfirmations(app: FastifyInstance, filter: { petitionId?: number } = {}): Promise<QueuedConfirmation[]> {
  const mails = await queuedConfirmationsIn(app.deps.database.db, app.deps.keys.dataKey);
  return mails.filter((mail) => filter.petitionId === undefined || mail.petitionId === filter.petitionId);
}

/** The same from any database handle: single mail jobs and the mails of batch jobs (each with its batch's job id). */
export async function queuedConfirmationsIn(db: Database, dataKey: Buffer): Promise<QueuedConfirmation[]> {
  const rows = await db
    .selectFrom('jobs')
    .select(['id', 'payload'])
    .where('kind', 'in', [confirmationMail.kind, confirmationMails.kind])
    .orderBy('id')
    .execute();
  return rows.flatMap((row) => {
    const payload = JSON.parse(decryptForServer(dataKey, row.payload)) as ConfirmationPayload | ConfirmationPayload[];
    return (Array.isArray(payload) ? payload : [payload]).map((mail) => ({ jobId: Number(row.id), ...mail }));
  });
}

/** A target (an institution) of `campaignId` and one statement of it: a denial, unless told otherwise. */
export async function makeStatement(
  db: Database,
  campaignId: number,
  overrides: Partial<StatementInput> = {},
): Promise<{ targetId: number; statementId: number; input: StatementInput }> {
  const targetId = await createTarget(db, {
    userId: null,
    campaignId,
    input: { kind: 'institution', country: 'RU', links: [], texts: { en: { name: `Ministry ${uniqueSuffix()}`, office: 'Press office' } } },
  });
  const input: StatementInput = {
    statedOn: '2017-04-03',
    dateApproximate: false,
    stance: 'denied',
    answersAsk: false,
    quote: 'There are no such people in the republic.',
    verbatim: true,
    lang: 'en',
    sources: [{ publisher: 'Interfax', url: 'https://www.interfax.ru/russia/556101', publishedOn: '2017-04-03' }],
    ...overrides,
  };
  const statementId = await addStatement(db, { userId: null, target: await getTarget(db, targetId), input });
  return { targetId, statementId, input };
}
