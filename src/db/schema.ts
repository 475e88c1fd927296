/**
 * Table types for Kysely. Both dialects store the same shapes: timestamps are ISO-8601 strings in UTC,
 * dates are `YYYY-MM-DD` strings, flags are 0/1 integers, ids are numbers.
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** `partner`: a partner organisation's account, which reads only the requests for help sent to it (see intake). */
export type Role = 'owner' | 'editor' | 'moderator' | 'partner';
export type CampaignStatus = 'draft' | 'published' | 'archived';
export type Flag = 0 | 1;

export interface UsersTable {
  id: Generated<number>;
  email: string;
  password_hash: string;
  role: Role;
  created_at: string;
  disabled_at: string | null;
  /** Set on each successful login; null for an account that never logged in (or did before this column). */
  last_login_at: string | null;
}

export interface SessionsTable {
  /** SHA-256 of the cookie token: a copy of the database does not hand over live sessions. */
  id_hash: string;
  user_id: number;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
  /** 'second-factor' while the password was right and the second factor is still to come: such a session opens no page. */
  stage: ColumnType<SessionStage, SessionStage | undefined, SessionStage>;
  /** The WebAuthn challenge this session was last given (base64url), until a passkey answers it. */
  challenge: ColumnType<string | null, string | null | undefined, string | null>;
  /** Wrong second-factor codes given in this session; the session ends after a few. */
  failed_attempts: ColumnType<number, number | undefined, number>;
}

export type SessionStage = 'full' | 'second-factor';
export type FactorKind = 'totp' | 'passkey';

export interface UserFactorsTable {
  id: Generated<number>;
  user_id: number;
  kind: FactorKind;
  /** A name the organiser chose ("work laptop", "phone"), so they can tell their factors apart. */
  label: string;
  created_at: string;
  last_used_at: string | null;
  /** The authenticator app's secret, encrypted with a key derived from SECRET_KEY (the server must read it back). */
  totp_secret_sealed: string | null;
  /** The last 30-second step a code was accepted for: a code is never accepted twice. */
  totp_last_step: number | null;
  /** The passkey's credential id (base64url) and COSE public key, its signature counter and transports. */
  credential_id: string | null;
  public_key: Buffer | null;
  sign_count: number | null;
  transports: string | null;
}

export interface RecoveryCodesTable {
  id: Generated<number>;
  user_id: number;
  /** HMAC of the code with a key derived from SECRET_KEY: the codes are random, so no slow hash is needed. */
  code_hash: string;
  created_at: string;
  used_at: string | null;
}

export interface CampaignsTable {
  id: Generated<number>;
  slug: string;
  hashtag: string;
  goal: number;
  start_date: string;
  start_date_approximate: Flag;
  /** Comma-separated locale codes the campaign is published in, the first being its main language. */
  locales: string;
  featured: Flag;
  status: CampaignStatus;
  created_at: string;
  updated_at: string;
  published_at: string | null;
}

export interface CampaignTextsTable {
  campaign_id: number;
  locale: string;
  title: string;
  summary: string;
  story_md: string;
  counter_label: string;
}

export interface AuditLogTable {
  id: Generated<number>;
  user_id: number | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  /** JSON: { field: [before, after] } for edits, or a short description object. */
  changes: string;
  created_at: ColumnType<string, string, never>;
}

export interface OrganisationKeysTable {
  id: Generated<number>;
  key_id: string;
  /** base64url of the raw X25519 public key. */
  public_key: string;
  active: Flag;
  created_at: string;
}

export interface SettingsTable {
  key: string;
  value: string;
  updated_at: string;
}

export type PetitionStatus = 'open' | 'closed';

export interface PetitionsTable {
  id: Generated<number>;
  campaign_id: number;
  position: number;
  goal: number;
  milestones: string;
  status: PetitionStatus;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
}

export interface PetitionTextsTable {
  petition_id: number;
  locale: string;
  title: string;
  target: string;
  body_md: string;
}

export interface SealingWindowsTable {
  id: string;
  key_id: string;
  /** base64url of the HPKE encapsulated key. */
  enc: string;
  created_at: string;
}

export type SignatureStatus = 'pending' | 'confirmed' | 'withdrawn';

export interface SignaturesTable {
  id: Generated<number>;
  petition_id: number;
  dedup_key: string | null;
  window_id: string;
  sealed: Buffer;
  country: string;
  status: SignatureStatus;
  suspect: Flag;
  suspect_reason: string | null;
  public_name: string | null;
  wants_updates: Flag;
  ref: string | null;
  confirm_token_hash: string | null;
  withdraw_token_hash: string;
  token_expires_at: string;
  last_mailed_at: string;
  created_at: string;
  confirmed_at: string | null;
  withdrawn_at: string | null;
}

export interface CountEventsTable {
  id: Generated<number>;
  petition_id: number;
  country: string;
  delta: number;
  created_at: string;
}

export interface SignatureCountsTable {
  petition_id: number;
  country: string;
  count: number;
}

export interface MilestonesReachedTable {
  petition_id: number;
  milestone: number;
  reached_at: string;
}

export interface JobsTable {
  id: Generated<number>;
  kind: string;
  payload: string;
  run_at: string;
  attempts: number;
  locked_until: string | null;
  last_error: string | null;
  created_at: string;
}

export type TargetKind = 'person' | 'institution';
export type AskChannel = 'petition-delivery' | 'open-letter' | 'meeting' | 'public-call' | 'milestone';
export type Stance = 'denied' | 'dismissed' | 'no-knowledge' | 'acknowledged' | 'concern' | 'committed' | 'acted';

export interface TargetsTable {
  id: Generated<number>;
  campaign_id: number;
  kind: TargetKind;
  /** ISO 3166-1 alpha-2, or null for an international body. */
  country: string | null;
  /** http(s) links about the target (official site, profile), one per line. */
  links: string;
  position: number;
  created_at: string;
  updated_at: string;
}

export interface TargetTextsTable {
  target_id: number;
  locale: string;
  name: string;
  office: string;
}

export interface AsksTable {
  id: Generated<number>;
  target_id: number;
  asked_on: string;
  date_approximate: Flag;
  channel: AskChannel;
  /** What the campaign asked, in the language `lang`. */
  summary: string;
  lang: string;
  created_at: string;
}

export interface StatementsTable {
  id: Generated<number>;
  target_id: number;
  stated_on: string;
  date_approximate: Flag;
  stance: Stance;
  /** Whether the statement answers what was asked: a reply that does not address it is not an answer. */
  answers_ask: Flag;
  /** The words as said or published, in their own language `lang` (never silently translated). */
  quote: string;
  /** 1 when `quote` holds their exact words; 0 when it reports what they said (as a source put it). */
  verbatim: Flag;
  lang: string;
  created_at: string;
}

export interface MilestoneAsksTable {
  id: Generated<number>;
  target_id: number;
  petition_id: number;
  milestone: number;
  /** What the delivery asks, in the language `lang`. */
  summary: string;
  lang: string;
  /** The ask recorded when the milestone was reached; null while waiting (or if that ask was deleted since). */
  ask_id: number | null;
  recorded_at: string | null;
  created_at: string;
}

export interface TargetPicturesTable {
  target_id: number;
  content_type: string;
  /** The picture with every metadata block removed (see web/images.ts). */
  bytes: Buffer;
  /** Of the bytes: part of the picture's address, so it can be cached for ever and changes when replaced. */
  sha256: string;
  updated_at: string;
}

export interface StatementSourcesTable {
  id: Generated<number>;
  statement_id: number;
  publisher: string;
  url: string;
  published_on: string | null;
}

export type EndorsementStatus = 'unverified' | 'verified';
export type EndorsementSource = 'organiser' | 'suggestion';

export interface EndorsementsTable {
  id: Generated<number>;
  campaign_id: number;
  name: string;
  description: string;
  quote: string;
  platform: string;
  /** The original post (http or https), or ''. */
  url: string;
  /** The language name, description and quote are written in. */
  lang: string;
  /** YYYY-MM-DD, or null when not known. */
  endorsed_on: string | null;
  date_approximate: Flag;
  /** Only verified endorsements are ever shown to the public. */
  status: EndorsementStatus;
  evidence_url: string;
  evidence_note: string;
  featured: Flag;
  /** Added by an organiser, or suggested by the public (nothing about the suggester is kept). */
  source: EndorsementSource;
  verified_at: string | null;
  created_at: string;
  updated_at: string;
}

export type LetterState = 'draft' | 'collecting' | 'published' | 'delivered';
export type SignatoryCategory = 'official' | 'organisation' | 'public-figure' | 'individual';
/** pending: signed on, mail not confirmed; unverified: waits for an organiser; verified (public) or rejected. */
export type SignatoryStatus = 'pending' | 'unverified' | 'verified' | 'rejected';
export type SignatorySource = 'organiser' | 'sign-on';

export interface LettersTable {
  id: Generated<number>;
  campaign_id: number;
  title: string;
  /** Markdown, rendered as the campaign story is. */
  body_md: string;
  /** The language title and text are written in. */
  lang: string;
  /** Drafts are never public; signatures are taken only while collecting. */
  state: LetterState;
  dated_on: string | null;
  date_approximate: Flag;
  delivered_on: string | null;
  delivered_approximate: Flag;
  /** How many signed as a source reports it, for a letter whose full list the campaign does not hold. */
  reported_count: number | null;
  reported_publisher: string;
  reported_url: string;
  response_text: string;
  response_url: string;
  created_at: string;
  updated_at: string;
}

export interface LetterTargetsTable {
  letter_id: number;
  target_id: number;
}

export interface LetterSignatoriesTable {
  id: Generated<number>;
  letter_id: number;
  name: string;
  title: string;
  affiliation: string;
  category: SignatoryCategory;
  signed_on: string;
  /** Only verified signatories are ever public. */
  status: SignatoryStatus;
  source: SignatorySource;
  /** What an organiser checked to verify: a web address, a note of an out-of-band check, or both. */
  evidence_url: string;
  evidence_note: string;
  /** HMAC of the letter and the canonical address (sign-on only): the address itself is never stored. */
  dedup_key: string | null;
  confirm_token_hash: string | null;
  token_expires_at: string | null;
  last_mailed_at: string | null;
  confirmed_at: string | null;
  verified_at: string | null;
  created_at: string;
  updated_at: string;
}

export type RecipientKind = 'reviewer' | 'partner';

export type IntakeKind = 'testimony' | 'help';

/** Ciphertext only; dates are days. See the migration 2026-12-02-09 for the life of a submission. */
export interface IntakeSubmissionsTable {
  id: Generated<number>;
  kind: IntakeKind;
  campaign_id: number | null;
  partner_id: number | null;
  state: 'receiving' | 'open';
  /** Derived from the codename with argon2id and the pepper (crypto/codename.ts); set when the first message is stored. */
  codename_lookup: string | null;
  /** X25519 public key that replies are sealed to; its private half is derived from the codename, never stored. */
  reply_public_key: Buffer | null;
  received_on: string;
  last_follow_up_on: string | null;
  delete_on: string;
  /** Follow-ups stored on last_follow_up_on: the per-codename cap. */
  follow_ups_today: ColumnType<number, number | undefined, number>;
}

export interface IntakeMessagesTable {
  id: Generated<number>;
  submission_id: number;
  author: 'sender' | 'reviewer';
  encrypted_by: 'browser' | 'server';
  state: 'receiving' | 'stored';
  received_on: string;
  /** Coarse (crypto-free) time the upload began: a message still receiving long after is swept. */
  receiving_since: string;
  size: ColumnType<number, number | undefined, number>;
  /** A reviewer's reply sealed for the codename holder (the OpenPGP copy for the recipients is in the chunks). */
  sender_copy: Buffer | null;
}

export interface IntakeChunksTable {
  message_id: number;
  seq: number;
  data: Buffer;
}

export interface IntakeRecipientsTable {
  id: Generated<number>;
  kind: RecipientKind;
  name: string;
  /** What a partner does and where (shown to the person choosing whom to ask for help). */
  description: string;
  region: string;
  /** The armored OpenPGP public key, as re-armored after checking (see crypto/openpgp-keys.ts). */
  public_key: string;
  fingerprint: string;
  algorithm: string;
  key_expires_at: string | null;
  created_at: string;
  updated_at: string;
  /** Told by mail (fixed words) that something arrived; none: they look at the inbox themselves. */
  notify_email: ColumnType<string | null, string | null | undefined, string | null>;
  /** 1 when something arrived since the last mail. */
  notify_pending: ColumnType<number, number | undefined, number>;
}

/** A partner organisation's account (role `partner`) and the partner recipient whose requests for help it reads. */
export interface IntakePartnerAccountsTable {
  user_id: number;
  recipient_id: number;
  created_at: string;
}

export type FactStatus = 'reported' | 'corroborated' | 'disputed' | 'denied' | 'retracted';
export type FigureQualifier = 'exact' | 'at-least' | 'more-than' | 'about' | 'up-to';
export type EvidenceEntity = 'fact' | 'source' | 'incident';
export type StatementRelation = 'confirms' | 'denies';

/** A claim the campaign documents, as it stands now: the latest revision in `evidence_revisions` says the same. */
export interface EvidenceFactsTable {
  id: Generated<number>;
  campaign_id: number;
  /** The language the claim is written in. */
  lang: string;
  claim: string;
  figure_value: number | null;
  figure_unit: string | null;
  figure_qualifier: FigureQualifier | null;
  status: FactStatus;
  first_reported_on: string;
  first_reported_approximate: Flag;
  public: Flag;
  /** The number of the latest revision of this fact. */
  version: number;
  created_at: string;
  updated_at: string;
}

export interface EvidenceSourcesTable {
  id: Generated<number>;
  campaign_id: number;
  publisher: string;
  title: string;
  /** http(s) only. */
  url: string;
  published_on: string | null;
  published_approximate: Flag;
  /** The passage that reports the fact, in its own language `lang`; may be empty. */
  quote: string;
  lang: string;
  public: Flag;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface EvidenceIncidentsTable {
  id: Generated<number>;
  campaign_id: number;
  starts_on: string;
  ends_on: string | null;
  date_approximate: Flag;
  /** A coarse region in words: never an address or a village where living victims could be found. */
  region: string;
  /** Counts by kind; null when not known (not zero). */
  detained: number | null;
  tortured: number | null;
  killed: number | null;
  disappeared: number | null;
  released: number | null;
  description: string;
  lang: string;
  public: Flag;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface EvidenceFactSourcesTable {
  fact_id: number;
  source_id: number;
}

export interface EvidenceFactStatementsTable {
  fact_id: number;
  statement_id: number;
  relation: StatementRelation;
}

export interface EvidenceIncidentFactsTable {
  incident_id: number;
  fact_id: number;
}

export interface EvidenceIncidentSourcesTable {
  incident_id: number;
  source_id: number;
}

/** One link of a campaign's hash chain: appended, never updated or deleted (see features/evidence/ledger.ts). */
export interface EvidenceRevisionsTable {
  id: Generated<number>;
  campaign_id: number;
  seq: number;
  entity: EvidenceEntity;
  entity_id: number;
  version: number;
  public: Flag;
  /** 16 random bytes, hex: a non-public revision's data cannot be guessed from its published hash. */
  nonce: string;
  /** The entity's whole state after the change, as RFC 8785 canonical JSON. */
  data: string;
  data_hash: string;
  author_id: number | null;
  created_at: string;
  prev_hash: string;
  hash: string;
}

/** Public keys whose signatures on a ledger export this server accepts; the secret halves never come here. */
export interface EvidenceSigningKeysTable {
  id: Generated<number>;
  /** Hex SHA-256 of the key's SubjectPublicKeyInfo (DER). */
  key_id: string;
  /** SPKI PEM. */
  public_key: string;
  created_at: string;
}

/** A signed export of a campaign's ledger, as published at /c/{slug}/evidence/ledger.json: exactly its bytes. */
export interface EvidenceExportsTable {
  id: Generated<number>;
  campaign_id: number;
  head_seq: number;
  head_hash: string;
  generated_at: string;
  body: Buffer;
  /** Raw 64-byte Ed25519 signature over `body`. */
  signature: Buffer;
  key_id: number;
  published_at: string;
}

export type CaptureKind = 'fetched' | 'uploaded';
export type CaptureState = 'pending' | 'fetching' | 'stored' | 'failed';
/** What a stored copy is, recognised by its bytes: a WARC file of a fetch, or one of the kinds an organiser may upload. */
export type CaptureFileType = 'warc' | 'pdf' | 'png' | 'jpeg' | 'html' | 'text';

/** A copy of a source kept by the server: fetched by the worker (a WARC file) or uploaded; its bytes are in chunks. */
export interface EvidenceCapturesTable {
  id: Generated<number>;
  campaign_id: number;
  source_id: number;
  kind: CaptureKind;
  /** pending (queued), fetching (a worker has it), stored (bytes and hash kept), failed (refused: see error). */
  state: CaptureState;
  requested_url: string | null;
  final_url: string | null;
  http_status: number | null;
  /** The content type the page was served with (fetched), or the type recognised in an upload. */
  content_type: string | null;
  file_type: CaptureFileType | null;
  captured_at: string | null;
  /** Hex SHA-256 of the stored file (the whole WARC for a fetch): what the ledger and the timestamps name. */
  sha256: string | null;
  size: number | null;
  author_id: number | null;
  /** Why a capture was refused: a CaptureRefused reason (private-address, too-large, timeout…). */
  error_reason: string | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
}

export interface EvidenceCaptureChunksTable {
  capture_id: number;
  seq: number;
  data: Buffer;
}

/** An RFC 3161 token over a capture's SHA-256 or a campaign's ledger head, with what checking it found. */
export interface EvidenceTimestampsTable {
  id: Generated<number>;
  capture_id: number | null;
  campaign_id: number | null;
  head_seq: number | null;
  head_hash: string | null;
  digest: string;
  tsa_url: string;
  /** The DER TimeStampToken as the authority sent it; null when the authority gave none. */
  token: Buffer | null;
  gen_time: string | null;
  authority: string | null;
  verified: Flag;
  /** Why it is not trusted (or why there is no token), in words. */
  reason: string | null;
  created_at: string;
}

export interface DB {
  users: UsersTable;
  sessions: SessionsTable;
  user_factors: UserFactorsTable;
  recovery_codes: RecoveryCodesTable;
  campaigns: CampaignsTable;
  campaign_texts: CampaignTextsTable;
  audit_log: AuditLogTable;
  organisation_keys: OrganisationKeysTable;
  settings: SettingsTable;
  petitions: PetitionsTable;
  petition_texts: PetitionTextsTable;
  sealing_windows: SealingWindowsTable;
  signatures: SignaturesTable;
  count_events: CountEventsTable;
  signature_counts: SignatureCountsTable;
  milestones_reached: MilestonesReachedTable;
  jobs: JobsTable;
  targets: TargetsTable;
  target_texts: TargetTextsTable;
  asks: AsksTable;
  statements: StatementsTable;
  statement_sources: StatementSourcesTable;
  milestone_asks: MilestoneAsksTable;
  target_pictures: TargetPicturesTable;
  intake_recipients: IntakeRecipientsTable;
  intake_submissions: IntakeSubmissionsTable;
  intake_messages: IntakeMessagesTable;
  intake_chunks: IntakeChunksTable;
  intake_partner_accounts: IntakePartnerAccountsTable;
  endorsements: EndorsementsTable;
  letters: LettersTable;
  letter_targets: LetterTargetsTable;
  letter_signatories: LetterSignatoriesTable;
  evidence_facts: EvidenceFactsTable;
  evidence_sources: EvidenceSourcesTable;
  evidence_incidents: EvidenceIncidentsTable;
  evidence_fact_sources: EvidenceFactSourcesTable;
  evidence_fact_statements: EvidenceFactStatementsTable;
  evidence_incident_facts: EvidenceIncidentFactsTable;
  evidence_incident_sources: EvidenceIncidentSourcesTable;
  evidence_revisions: EvidenceRevisionsTable;
  evidence_signing_keys: EvidenceSigningKeysTable;
  evidence_exports: EvidenceExportsTable;
  evidence_captures: EvidenceCapturesTable;
  evidence_capture_chunks: EvidenceCaptureChunksTable;
  evidence_timestamps: EvidenceTimestampsTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type CampaignRow = Selectable<CampaignsTable>;
export type CampaignUpdate = Updateable<CampaignsTable>;
export type CampaignTextRow = Selectable<CampaignTextsTable>;
