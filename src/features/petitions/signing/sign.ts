/**
 * Taking a signature: reading the form, the anti-abuse checks that cost nothing (honeypot, form stamp, per-client
 * buckets, disposable domains, the proof-of-work switch), sealing the supporter's details, and handing the row to the
 * group commit. Suspect signatures are kept, silently, for a moderator to review.
 */
import { coarseTimestamp, coarseTimestampAfter } from '../../../clock.ts';
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { AppError, type FieldErrors } from '../../../errors.ts';
import { pooledRandomBytes } from '../../../crypto/random.ts';
import { hmacBase64Url, sha256Hex } from '../../../crypto/keys.ts';
import type { Database } from '../../../db/database.ts';
import { COUNTRY_CODES } from '../../../web/countries.ts';
import { parseId, readCheckbox, readText, type FormBody } from '../../../web/form.ts';
import { formStampAgeMs, isSharedStamp, stampIssuedAt, stampVerdict, type SpentStamps } from '../../../web/form-stamp.ts';
import type { Locale } from '../../../web/i18n.ts';
import type { TokenBucketLimiter } from '../../../web/rate-limit.ts';
import { SHARE_CODE_PATTERN } from '../../campaigns/index.ts';
import type { SwitchBoard } from '../../switches/index.ts';
import type { Signing } from '../model.ts';
import { petitionToSign } from '../service.ts';
import { judgeSignals, type SigningChannel, type SuspectReason } from '../suspect-reasons.ts';
import { canonicalEmail, emailDomain, isValidEmail } from './email.ts';
import type { SigningMetrics } from './metrics.ts';
import { isProofOfWorkValid, MIN_WAIT_WITHOUT_PROOF_MS } from './proof-of-work.ts';
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
  keys: { pepper: Buffer; formStamp: Buffer; dataKey: Buffer; withdrawLink: Buffer };
  /** Over this per-client limit a signature is kept but marked suspect. */
  softLimiter: TokenBucketLimiter;
  /** Over this one the client is refused for a while (429). */
  hardLimiter: TokenBucketLimiter;
  /** Form stamps already used, each until it expires. */
  spentStamps: SpentStamps;
  /** What became of each attempt, counted for /metrics. */
  metrics: SigningMetrics;
  /** The clock a signature's times are read from, and with them the re-send limit (tests move it); the system's by default. */
  now?: () => Date;
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
  const petitionId = parseId(petitionText);
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

export function dedupKey(pepper: Buffer, petitionId: number, email: string): string {
  return hmacBase64Url(pepper, `${petitionId}:${canonicalEmail(email)}`);
}

/**
 * The secret of a signature's withdraw link: the same in every mail to that signature, so a re-send never breaks a
 * link already mailed. It is keyed on the signature's sealed record (random, never rewritten), not on the address, so
 * nothing in the row can be tested against a guessed address once the dedup key is erased (withdrawn, or closed).
 */
export function withdrawSecretOf(key: Buffer, sealed: Buffer): string {
  // Whoever holds the server key and the database can compute withdraw links; they could also just edit the database.
  return createHmac('sha256', key).update(sealed).digest('base64url');
}

function firstName(name: string): string {
  return (name.split(/\s+/)[0] ?? '').slice(0, 40);
}

/** The anti-abuse signals a signature carries; judgeSignals weighs them. */
function signalsOf(deps: SigningDeps, form: SignForm, clientKey: string, stamp: StampUse, proofMissing: boolean): SuspectReason[] {
  const signals: SuspectReason[] = [];
  if (proofMissing) signals.push('no-proof-of-work');
  if (!deps.softLimiter.take(clientKey)) signals.push('rate');
  const verdict = stampVerdict(form.stamp, stamp.age);
  if (verdict !== 'ok') signals.push(`stamp:${verdict}`);
  else if (!stamp.firstUse) signals.push('stamp:reused');
  if (DISPOSABLE.has(emailDomain(form.email))) signals.push('disposable-domain');
  return signals;
}

export type SignOutcome = WriteOutcome | 'ignored';

/** A genuine stamp's age, whether this is the first signature it came with (in this process), and whose it is. */
interface StampUse {
  age: number | undefined;
  firstUse: boolean;
  /** A visitor's own stamp (from a page no cache keeps, or fetched by the page's script), not the cached page's. */
  personal: boolean;
}

/**
 * Each visitor's stamp signs once: one scraped stamp cannot pass a stream of signatures as fresh. The cached page's
 * shared stamp (JavaScript off) went to everyone who got that copy, so it signs once per client instead: the second
 * signer of the same copy is not a replay, one client sending it again is.
 */
function spendStamp(deps: SigningDeps, stamp: unknown, clientKey: string): StampUse {
  const age = formStampAgeMs(deps.keys.formStamp, stamp);
  if (age === undefined) return { age, firstUse: false, personal: false };
  const text = String(stamp);
  const personal = !isSharedStamp(text);
  return { age, firstUse: deps.spentStamps.use(personal ? text : `${text}|${clientKey}`, stampIssuedAt(text)), personal };
}

/**
 * With the proof-of-work switch on: a solved puzzle passes (once per stamp). A form sent without one (JavaScript
 * off) passes only after a person-like wait, and is then marked for review; sooner, the form comes back asking to
 * wait. Returns whether the proof is missing.
 */
function hasFreshProof(form: SignForm, stamp: StampUse): boolean {
  const { age } = stamp;
  // A puzzle solved for a shared stamp could be sent by every client of that copy: only a visitor's own stamp counts.
  if (age !== undefined && stamp.personal && stamp.firstUse && isProofOfWorkValid(form.stamp, form.proof)) return true;
  if (age !== undefined && age >= MIN_WAIT_WITHOUT_PROOF_MS) return false;
  throw new AppError('validation_failed', 'Please wait 20 seconds, then send the form again.', { fields: { pow: 'petitions.validation.pow' } });
}

/**
 * Takes one signature. Resolves only after it is committed with its confirmation mail queued. The outcome is never
 * shown to the signer as such: "check your email" is the answer whether the address is new or had signed before,
 * so the form cannot be used to test who signed.
 */
export async function signPetition(
  deps: SigningDeps,
  options: { campaignId: number; form: SignForm; clientKey: string; locale: Locale; campaignSlug: string; channel: SigningChannel },
): Promise<SignOutcome> {
  const { form, clientKey } = options;
  if (!deps.hardLimiter.take(clientKey)) throw new AppError('rate_limited', 'Too many signatures from this connection. Please wait a minute.');
  const switches = await deps.switches.get();
  if (switches.signingPaused)
    throw new AppError('unavailable', 'Signing is paused for a moment. Please try again later.', { messageKey: 'petitions.errors.paused' });
  const petition = await petitionToSign(deps.db, options.campaignId, form.petitionId);
  // A bot that filled the invisible field is told "thank you" and nothing is stored or mailed.
  if (form.honeypotFilled) {
    deps.metrics.taken('ignored');
    return 'ignored';
  }
  const stamp = spendStamp(deps, form.stamp, clientKey);
  const proofMissing = switches.requireProofOfWork && !hasFreshProof(form, stamp);

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
    suspectReason: judgeSignals(signalsOf(deps, form, clientKey, stamp, proofMissing), options.channel),
  };
  const sealed = await deps.sealer.seal(petition.id, { name: signing.name, email: signing.email, postcode: signing.postcode });
  const confirmSecret = pooledRandomBytes(32).toString('base64url');
  const withdrawSecret = withdrawSecretOf(deps.keys.withdrawLink, sealed.sealed);
  const now = deps.now?.() ?? new Date();
  const mail = { to: signing.email, locale: signing.locale, campaignSlug: options.campaignSlug, petitionId: petition.id };
  const outcome = await deps.writer.submit({
    window: sealed.window,
    mail: (signature) => ({
      ...mail,
      confirmToken: `${signature.id}.${confirmSecret}`,
      // This row's link, or on a re-send the stored signature's, derived from its own (earlier) sealed record.
      withdrawToken: `${signature.id}.${signature.sealed === sealed.sealed ? withdrawSecret : withdrawSecretOf(deps.keys.withdrawLink, signature.sealed)}`,
    }),
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
      // Stored to the minute (see coarseTimestamp); the mail time rounded up, so a re-send is never early.
      token_expires_at: coarseTimestampAfter(now.getTime() + CONFIRM_TOKEN_TTL_MS),
      last_mailed_at: coarseTimestampAfter(now),
      created_at: coarseTimestamp(now),
      confirmed_at: null,
      withdrawn_at: null,
    },
  });
  deps.metrics.taken(signing.suspectReason ? 'suspect' : 'accepted');
  return outcome;
}
