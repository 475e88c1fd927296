import { createRequire } from 'node:module';
import type { Database } from '../../db/database.ts';
import { AppError, type FieldErrors } from '../../errors.ts';
import { pooledRandomBytes } from '../../crypto/random.ts';
import { constantTimeEqual, hmacBase64Url, sha256Hex } from '../../crypto/keys.ts';
import { readCheckbox, readText, type FormBody } from '../../web/form.ts';
import type { Locale } from '../../web/i18n.ts';
import type { TokenBucketLimiter } from '../../web/rate-limit.ts';
import { diffFields, recordAudit } from '../audit/queries.ts';
import { cachedCampaignLookup, forgetCachedCampaigns } from '../campaigns/cache.ts';
import type { SwitchBoard } from '../settings/switches.ts';
import { COUNTRY_CODES } from './countries.ts';
import { canonicalEmail, emailDomain, isValidEmail } from './email.ts';
import { checkFormStamp, formStampAgeMs } from './form-stamp.ts';
import { isProofOfWorkValid, MIN_WAIT_WITHOUT_PROOF_MS, type UsedProofs } from './proof-of-work.ts';
import { mainPetition, type Petition, type PetitionInput, type Signing } from './model.ts';
import { closePetitionRow, findPetitionById, insertPetition, listPetitionsOfCampaign, reopenPetitionRow, updatePetitionRow } from './queries.ts';
import type { SupporterSealer } from './sealer.ts';
import type { SignatureWriter, WriteOutcome } from './signature-writer.ts';

const CONFIRM_TOKEN_TTL_MS = 7 * 24 * 60 * 60 * 1000;
// Loaded with require: the list is JSON, and the bundled server cannot carry an import attribute for a package.
const DISPOSABLE = new Set<string>(createRequire(import.meta.url)('disposable-email-domains') as string[]);

export interface SigningDeps {
  db: Database;
  sealer: SupporterSealer;
  writer: SignatureWriter;
  switches: SwitchBoard;
  keys: { pepper: Buffer; formStamp: Buffer; dataKey: Buffer };
  /** Over this per-client limit a signature is kept but marked suspect. */
  softLimiter: TokenBucketLimiter;
  /** Over this one the client is refused for a while (429). */
  hardLimiter: TokenBucketLimiter;
  usedProofs: UsedProofs;
}

export interface SignForm {
  name: string;
  email: string;
  country: string;
  postcode: string;
  wantsUpdates: boolean;
  showName: boolean;
  ref: string | null;
  petitionId: number | undefined;
  /** The hidden field only bots fill in. */
  honeypotFilled: boolean;
  stamp: unknown;
  /** The proof-of-work solution, when that kill switch is on. */
  proof: unknown;
}

/** A share code from a share link (`?ref=`), kept with the signature for attribution. */
export const SHARE_CODE_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/** Reads a signing form (or JSON body). Bad fields throw one validation error naming each of them. */
export function parseSignForm(body: FormBody): SignForm {
  const errors: FieldErrors = {};
  const name = readText(body, 'name', { required: true, max: 100 }, errors);
  const email = readText(body, 'email', { required: true, max: 254 }, errors);
  if (!errors['email'] && !isValidEmail(email)) errors['email'] = 'petitions.validation.email';
  const country = readText(body, 'country', { required: true, max: 2 }, errors).toUpperCase();
  if (!errors['country'] && !COUNTRY_CODES.has(country)) errors['country'] = 'petitions.validation.country';
  const postcode = readText(body, 'postcode', { max: 20 }, errors);
  if (!readCheckbox(body, 'consent') || body['consent'] === 'false' || body['consent'] === false) errors['consent'] = 'petitions.validation.consent';
  const refText = readText(body, 'ref', { max: 32 }, errors);
  const ref = refText && SHARE_CODE_PATTERN.test(refText) ? refText : null;
  const petitionText = readText(body, 'petition', { max: 15 }, errors);
  const petitionId = /^\d{1,15}$/.test(petitionText) ? Number(petitionText) : undefined;
  if (petitionText && petitionId === undefined) errors['petition'] = 'petitions.validation.petition';
  if (Object.keys(errors).length > 0) throw new AppError('validation_failed', 'Some fields are not valid.', { fields: errors });
  const honeypot = body['website'];
  return {
    name,
    email,
    country,
    postcode,
    wantsUpdates: isTruthy(body['updates']),
    showName: isTruthy(body['show_name']),
    ref,
    petitionId,
    honeypotFilled: typeof honeypot === 'string' ? honeypot !== '' : honeypot !== undefined && honeypot !== null,
    stamp: body['ts'],
    proof: body['pow'],
  };
}

function isTruthy(value: unknown): boolean {
  return value === true || (typeof value === 'string' && value !== '' && value !== 'false' && value !== '0');
}

/** The petition a campaign's form signs: the one named, or the campaign's first open one. */
export async function petitionToSign(db: Database, campaignId: number, petitionId: number | undefined): Promise<Petition> {
  const petitions = await cachedCampaignLookup(db, `petitions:${campaignId}`, () => listPetitionsOfCampaign(db, campaignId));
  const petition = petitionId === undefined ? mainPetition(petitions) : petitions.find((p) => p.id === petitionId);
  if (!petition) throw new AppError('not_found', 'This campaign has no petition to sign.', { messageKey: 'petitions.errors.noPetition' });
  if (petition.status !== 'open') throw new AppError('gone', 'This petition is closed and no longer takes signatures.', { messageKey: 'petitions.errors.closed' });
  return petition;
}

export function dedupKey(pepper: Buffer, petitionId: number, email: string): string {
  return hmacBase64Url(pepper, `${petitionId}:${canonicalEmail(email)}`);
}

function firstName(name: string): string {
  return (name.split(/\s+/)[0] ?? '').slice(0, 40);
}

function suspicion(deps: SigningDeps, form: SignForm, clientKey: string): string | null {
  if (!deps.softLimiter.take(clientKey)) return 'rate';
  const stamp = checkFormStamp(deps.keys.formStamp, form.stamp);
  if (stamp !== 'ok') return `stamp:${stamp}`;
  if (DISPOSABLE.has(emailDomain(form.email))) return 'disposable-domain';
  return null;
}

export type SignOutcome = WriteOutcome | 'ignored';

/**
 * With the proof-of-work switch on: a solved puzzle passes (once per stamp). A form sent without one (JavaScript
 * off) passes only after a person-like wait, and is then marked for review; sooner, the form comes back asking to
 * wait. Returns whether the proof is missing.
 */
function hasFreshProof(deps: SigningDeps, form: SignForm): boolean {
  const age = formStampAgeMs(deps.keys.formStamp, form.stamp);
  if (age !== undefined && isProofOfWorkValid(form.stamp, form.proof) && deps.usedProofs.use(String(form.stamp))) return true;
  if (age !== undefined && age >= MIN_WAIT_WITHOUT_PROOF_MS) return false;
  throw new AppError('validation_failed', 'Please wait 20 seconds, then send the form again.', { fields: { pow: 'petitions.validation.pow' } });
}

/**
 * Takes one signature. Resolves only after it is committed with its confirmation mail queued. The outcome is never
 * shown to the signer as such: "check your email" is the answer whether the address is new or had signed before,
 * so the form cannot be used to test who signed.
 */
export async function signPetition(deps: SigningDeps, options: { campaignId: number; form: SignForm; clientKey: string; locale: Locale; campaignSlug: string }): Promise<SignOutcome> {
  const { form, clientKey } = options;
  if (!deps.hardLimiter.take(clientKey)) throw new AppError('rate_limited', 'Too many signatures from this connection. Please wait a minute.');
  const switches = await deps.switches.get();
  if (switches.signingPaused) throw new AppError('unavailable', 'Signing is paused for a moment. Please try again later.', { messageKey: 'petitions.errors.paused' });
  const petition = await petitionToSign(deps.db, options.campaignId, form.petitionId);
  // A bot that filled the invisible field is told "thank you" and nothing is stored or mailed.
  if (form.honeypotFilled) return 'ignored';
  const proofMissing = switches.requireProofOfWork && !hasFreshProof(deps, form);

  const signing: Signing = {
    petitionId: petition.id,
    name: form.name,
    email: form.email,
    postcode: form.postcode,
    country: form.country,
    wantsUpdates: form.wantsUpdates,
    showName: form.showName,
    ref: form.ref,
    locale: options.locale,
    suspectReason: proofMissing ? 'no-proof-of-work' : suspicion(deps, form, clientKey),
  };
  const sealed = await deps.sealer.seal(petition.id, { name: signing.name, email: signing.email, postcode: signing.postcode });
  const secrets = pooledRandomBytes(64);
  const confirmSecret = secrets.subarray(0, 32).toString('base64url');
  const withdrawSecret = secrets.subarray(32).toString('base64url');
  const now = new Date();
  const mail = { to: signing.email, name: firstName(signing.name), locale: signing.locale, campaignSlug: options.campaignSlug, petitionId: petition.id };
  return deps.writer.submit({
    window: sealed.window,
    mail: (signatureId) => ({ ...mail, confirmToken: `${signatureId}.${confirmSecret}`, withdrawToken: `${signatureId}.${withdrawSecret}` }),
    row: {
      petition_id: petition.id,
      dedup_key: dedupKey(deps.keys.pepper, petition.id, signing.email),
      window_id: sealed.window.id,
      sealed: sealed.sealed,
      country: signing.country,
      status: 'pending',
      suspect: signing.suspectReason ? 1 : 0,
      suspect_reason: signing.suspectReason,
      public_name: signing.showName ? firstName(signing.name) : null,
      wants_updates: signing.wantsUpdates ? 1 : 0,
      ref: signing.ref,
      confirm_token_hash: sha256Hex(confirmSecret),
      withdraw_token_hash: sha256Hex(withdrawSecret),
      token_expires_at: new Date(now.getTime() + CONFIRM_TOKEN_TTL_MS).toISOString(),
      last_mailed_at: now.toISOString(),
      created_at: now.toISOString(),
      confirmed_at: null,
      withdrawn_at: null,
    },
  });
}

/** A mailed link's token: the signature's id, a dot, and a secret whose SHA-256 the row holds. */
const TOKEN_PATTERN = /^(\d{1,15})\.([A-Za-z0-9_-]{43})$/;

export interface TokenTarget {
  signatureId: number;
  petitionId: number;
  status: 'pending' | 'confirmed' | 'withdrawn';
}

async function findByToken(db: Database, column: 'confirm_token_hash' | 'withdraw_token_hash', token: string): Promise<(TokenTarget & { country: string; suspect: number; expiresAt: string }) | undefined> {
  const match = TOKEN_PATTERN.exec(token);
  if (!match) return undefined;
  const row = await db
    .selectFrom('signatures')
    .select(['id', 'petition_id', 'status', 'country', 'suspect', 'token_expires_at', column])
    .where('id', '=', Number(match[1]))
    .executeTakeFirst();
  const stored = row?.[column];
  if (!row || !stored || !constantTimeEqual(stored, sha256Hex(match[2]!))) return undefined;
  return { signatureId: Number(row.id), petitionId: Number(row.petition_id), status: row.status, country: row.country, suspect: row.suspect, expiresAt: row.token_expires_at };
}

/** What a confirmation link points at, for the page that shows the confirm button. */
export async function lookUpConfirmation(db: Database, token: string): Promise<TokenTarget> {
  const target = await findByToken(db, 'confirm_token_hash', token);
  if (!target || (target.status === 'pending' && Date.parse(target.expiresAt) < Date.now())) {
    throw new AppError('not_found', 'This confirmation link is not valid or has expired.', { messageKey: 'petitions.errors.badConfirmLink' });
  }
  return target;
}

/** Confirms a signature. Confirming twice is harmless; only the first adds to the count. */
export async function confirmSignature(db: Database, token: string): Promise<TokenTarget> {
  const target = await lookUpConfirmation(db, token);
  if (target.status !== 'pending') return target;
  return db.transaction().execute(async (trx) => {
    const now = new Date().toISOString();
    const updated = await trx
      .updateTable('signatures')
      .set({ status: 'confirmed', confirmed_at: now })
      .where('id', '=', target.signatureId)
      .where('status', '=', 'pending')
      .returning(['country', 'suspect'])
      .executeTakeFirst();
    if (updated && updated.suspect === 0) {
      await trx.insertInto('count_events').values({ petition_id: target.petitionId, country: updated.country, delta: 1, created_at: now }).execute();
    }
    return { ...target, status: 'confirmed' as const };
  });
}

export async function lookUpWithdrawal(db: Database, token: string): Promise<TokenTarget> {
  const target = await findByToken(db, 'withdraw_token_hash', token);
  if (!target) throw new AppError('not_found', 'This link is not valid.', { messageKey: 'petitions.errors.badWithdrawLink' });
  return target;
}

/** Withdraws a signature: it stops counting, and the sealed name and address are erased. */
export async function withdrawSignature(db: Database, token: string): Promise<TokenTarget> {
  const target = await lookUpWithdrawal(db, token);
  if (target.status === 'withdrawn') return target;
  return db.transaction().execute(async (trx) => {
    const now = new Date().toISOString();
    const erase = { status: 'withdrawn' as const, withdrawn_at: now, sealed: Buffer.alloc(0), public_name: null, dedup_key: null, confirm_token_hash: null };
    // Each update states what it expects to find, so a moderator acting at the same moment cannot make one
    // withdrawal count twice: whichever statement matches decides whether a -1 is due.
    const wasCounted = await trx
      .updateTable('signatures')
      .set(erase)
      .where('id', '=', target.signatureId)
      .where('status', '=', 'confirmed')
      .where('suspect', '=', 0)
      .returning('country')
      .executeTakeFirst();
    if (wasCounted) {
      await trx.insertInto('count_events').values({ petition_id: target.petitionId, country: wasCounted.country, delta: -1, created_at: now }).execute();
    } else {
      await trx.updateTable('signatures').set(erase).where('id', '=', target.signatureId).where('status', '!=', 'withdrawn').execute();
    }
    return { ...target, status: 'withdrawn' as const };
  });
}

function flattenPetitionForAudit(input: PetitionInput | Petition): Record<string, unknown> {
  const flat: Record<string, unknown> = { goal: input.goal, milestones: input.milestones.join(',') };
  for (const [locale, text] of Object.entries(input.texts)) {
    flat[`title_${locale}`] = text.title;
    flat[`target_${locale}`] = text.target;
    flat[`body_${locale}`] = text.bodyMd;
  }
  return flat;
}

export async function createPetition(db: Database, options: { userId: number | null; campaignId: number; input: PetitionInput }): Promise<number> {
  const id = await db.transaction().execute(async (trx) => {
    const newId = await insertPetition(trx, options.campaignId, options.input, new Date().toISOString());
    await recordAudit(trx, { userId: options.userId, action: 'petition.create', entityType: 'petition', entityId: newId, changes: diffFields({}, flattenPetitionForAudit(options.input)) });
    return newId;
  });
  forgetCachedCampaigns(db);
  return id;
}

export async function updatePetition(db: Database, options: { userId: number | null; id: number; input: PetitionInput }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const before = await findPetitionById(trx, options.id);
    if (!before) throw new AppError('not_found', 'No such petition.');
    const changes = diffFields(flattenPetitionForAudit(before), flattenPetitionForAudit(options.input));
    if (Object.keys(changes).length === 0) return;
    await updatePetitionRow(trx, options.id, options.input, new Date().toISOString());
    await recordAudit(trx, { userId: options.userId, action: 'petition.update', entityType: 'petition', entityId: options.id, changes });
  });
  forgetCachedCampaigns(db);
}

export async function setPetitionOpen(db: Database, options: { userId: number | null; id: number; open: boolean }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const before = await findPetitionById(trx, options.id);
    if (!before) throw new AppError('not_found', 'No such petition.');
    const now = new Date().toISOString();
    if (options.open) await reopenPetitionRow(trx, options.id, now);
    else await closePetitionRow(trx, options.id, now);
    await recordAudit(trx, { userId: options.userId, action: options.open ? 'petition.reopen' : 'petition.close', entityType: 'petition', entityId: options.id, changes: { status: [before.status, options.open ? 'open' : 'closed'] } });
  });
  forgetCachedCampaigns(db);
}
