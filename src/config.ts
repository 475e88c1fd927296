/**
 * The one reader of process.env. Every setting is documented here and in the README, validated once at boot,
 * and frozen. A bad value stops the process with a message naming the variable and what it expects.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { parseAddressList } from './web/address-ranges.ts';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  /** TCP port of the web role. `PORT`, default 3000; 0 picks any free port (tests). */
  readonly port: number;
  /** Interface the web role binds. `HOST`, default 127.0.0.1 (put a reverse proxy in front for the public). */
  readonly host: string;
  /** Folder for the SQLite file, generated secrets, the dev mailbox. `DATA_DIR`, default ./data. */
  readonly dataDir: string;
  /** `DATABASE_URL`: `sqlite:<file>` or `postgres://…`; default `sqlite:<DATA_DIR>/outcry.db`. */
  readonly databaseUrl: string;
  /** Base of absolute links (emails, share links). `PUBLIC_URL`, default http://localhost:<PORT>. */
  readonly publicUrl: string;
  /** Cookies get `Secure` when the public URL is https. */
  readonly secureCookies: boolean;
  /** `SMTP_URL`, e.g. smtp://user:pass@host:587. Unset: mail is written to <DATA_DIR>/mail/. */
  readonly smtpUrl: string | null;
  /** `TRUST_PROXY`: comma-separated proxy addresses/CIDRs whose X-Forwarded-For is believed. Unset: none. */
  readonly trustProxy: readonly string[];
  /** `LOG_LEVEL`, default info. */
  readonly logLevel: LogLevel;
  /**
   * `SECRET_KEY`: at least 32 random bytes as 64+ hex characters. Unset: read from (or generated once into)
   * `SECRET_KEY_FILE`, default <DATA_DIR>/secret.key. Processes on several hosts must share one value.
   */
  readonly secretKey: Buffer;
  /**
   * Where the secret came from: `env` (SECRET_KEY), or the file it was read from or generated into (`SECRET_KEY_FILE`,
   * default <DATA_DIR>/secret.key). A production site keeps it away from the data folder (see startOutcry).
   */
  readonly secretKeySource: { kind: 'env' } | { kind: 'file'; path: string };
  /** True when no secret was there and one was just generated into the file: `outcry restore` says it is not the site's. */
  readonly secretKeyCreated: boolean;
  /**
   * `ORGANISATION_KEY_ID`: the key id (`outcry keys list`) every signature must be sealed to. Unset: whichever key is
   * active in the database. Set, whoever can write the database cannot slip in a key of their own.
   */
  readonly organisationKeyId: string | null;
  /**
   * `TIME_ZONE`: the IANA zone whose calendar day-counters (silence, days since a campaign began) count in, e.g.
   * Europe/Moscow. Default UTC.
   */
  readonly timeZone: string;
  /** `LOAD_DEMO`: load the #EyesOnChechnya demo campaign into an empty database at start. Default true. */
  readonly loadDemo: boolean;
  readonly intake: IntakeSettings;
  readonly evidence: EvidenceSettings;
  readonly timeouts: ServerTimeouts;
  /**
   * `METRICS_ALLOW`: comma-separated addresses or CIDR ranges (or `loopback`) whose connections may read /metrics, or
   * `none`. Default loopback. Checked against the connection's own peer address, never X-Forwarded-For.
   */
  readonly metricsAllow: readonly string[];
}

/** How long a client may take, and how long a stop may take (all set in whole seconds). */
export interface ServerTimeouts {
  /** `HEADER_TIMEOUT_SECONDS`: a request's line and headers must arrive within this (slow-loris). Default 20; 1 to 300. */
  readonly headersMs: number;
  /** `REQUEST_TIMEOUT_SECONDS`: the whole request, body included; /speak uploads are exempt. Default 60; header timeout to 3600. */
  readonly requestMs: number;
  /** `IDLE_TIMEOUT_SECONDS`: a request on whose connection nothing moves this long is cut; live streams and uploads are exempt. Default 60. */
  readonly idleMs: number;
  /** `KEEP_ALIVE_TIMEOUT_SECONDS`: an idle connection waits this long for its next request (above a proxy's 60, so it closes first). Default 72. */
  readonly keepAliveMs: number;
  /** `SHUTDOWN_TIMEOUT_SECONDS`: on SIGTERM, how long in-flight work may take before the process exits anyway, non-zero. Default 10; 1 to 600. */
  readonly shutdownMs: number;
}

export interface IntakeSettings {
  /** `INTAKE_RETENTION_DAYS`: submissions and their replies are deleted this many days after they arrive. Default 90; 1 to 3650. */
  readonly retentionDays: number;
  /** `INTAKE_GRACE_DAYS`: and not before this many days after the latest follow-up. Default 14; 0 to 365. */
  readonly graceDays: number;
  /** `INTAKE_MAX_UPLOAD_MB`: the most one message may carry, files included, in MiB. Default 128; 1 to 1024. */
  readonly maxUploadBytes: number;
  /** `INTAKE_DAILY_CAP`: new submissions the whole site takes in a day (behind Tor every sender shares one address). Default 500. */
  readonly dailyCap: number;
  /** `INTAKE_FOLLOW_UPS_PER_DAY`: follow-ups one codename may send in a day. Default 10. */
  readonly followUpsPerDay: number;
  /** `INTAKE_QUICK_EXIT_URL`: where the quick-exit link leads. Default https://www.wikipedia.org/. */
  readonly quickExitUrl: string;
}

/** Keeping copies of evidence sources, and trusted timestamps over them (features/evidence/captures.ts). */
export interface EvidenceSettings {
  /** `EVIDENCE_CAPTURE_MAX_MB`: the most a capture (every response received) or an uploaded copy may be, in MiB. Default 50; 1 to 1024. */
  readonly captureMaxBytes: number;
  /** `EVIDENCE_CAPTURE_TIMEOUT_SECONDS`: the whole capture, redirects included. Default 60; 1 to 600. */
  readonly captureTimeoutMs: number;
  /** `EVIDENCE_CAPTURE_MAX_REDIRECTS`: redirects followed before a capture is refused. Default 5; 0 to 20. */
  readonly captureMaxRedirects: number;
  /**
   * `EVIDENCE_CAPTURE_ALLOW_PRIVATE`: comma-separated addresses or CIDR ranges a capture may reach although they are not
   * public (loopback, private networks). Default none: the server never fetches inside its own network for an organiser.
   */
  readonly captureAllowPrivate: readonly string[];
  /** `EVIDENCE_TSA_URLS`: comma-separated RFC 3161 timestamp authorities (http or https). Default none: nothing is timestamped. */
  readonly tsaUrls: readonly string[];
  /** `EVIDENCE_TSA_TRUST_FILE`: a PEM bundle of the certificates tokens must chain to; required when EVIDENCE_TSA_URLS is set. */
  readonly tsaTrustFile: string | null;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const read = (name: string) => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };

  const port = parsePort(read('PORT') ?? '3000', problems);
  const host = read('HOST') ?? '127.0.0.1';
  const dataDir = path.resolve(read('DATA_DIR') ?? './data');
  const databaseUrl = read('DATABASE_URL') ?? `sqlite:${path.join(dataDir, 'outcry.db')}`;
  checkDatabaseUrl(databaseUrl, problems);
  const publicUrl = parsePublicUrl(read('PUBLIC_URL') ?? `http://localhost:${port}`, problems);
  const smtpUrl = parseSmtpUrl(read('SMTP_URL'), problems);
  const trustProxy = parseTrustProxy(read('TRUST_PROXY'), problems);
  const logLevel = parseLogLevel(read('LOG_LEVEL') ?? 'info', problems);
  const loadDemo = parseBoolean('LOAD_DEMO', read('LOAD_DEMO') ?? 'true', problems);
  const organisationKeyId = read('ORGANISATION_KEY_ID') ?? null;
  if (organisationKeyId !== null && !/^[0-9a-f]{16}$/.test(organisationKeyId)) {
    problems.push(`ORGANISATION_KEY_ID must be a key id as \`outcry keys list\` shows it: 16 hexadecimal characters (got "${organisationKeyId}").`);
  }
  const timeZone = read('TIME_ZONE') ?? 'UTC';
  if (!isTimeZone(timeZone)) problems.push(`TIME_ZONE must be an IANA time zone such as UTC or Europe/Moscow (got "${timeZone}").`);
  const secretHex = read('SECRET_KEY');
  if (secretHex !== undefined && !/^[0-9a-fA-F]{64,}$/.test(secretHex)) {
    problems.push('SECRET_KEY must be at least 64 hexadecimal characters (32 random bytes), e.g. from `openssl rand -hex 32`.');
  }
  const intake = parseIntakeSettings(read, problems);
  const evidence = parseEvidenceSettings(read, problems);
  const timeouts = parseTimeouts(read, problems);
  const metricsAllow = parseMetricsAllow(read('METRICS_ALLOW'), problems);
  if (problems.length > 0) throw new ConfigError(problems);

  const secretFile = path.resolve(read('SECRET_KEY_FILE') ?? path.join(dataDir, 'secret.key'));
  const secretKeyCreated = !secretHex && !existsSync(secretFile);
  const secretKey = secretHex ? Buffer.from(secretHex, 'hex') : loadOrCreateSecret(secretFile);
  const secretKeySource = secretHex ? ({ kind: 'env' } as const) : ({ kind: 'file', path: secretFile } as const);
  return Object.freeze({
    port,
    host,
    dataDir,
    databaseUrl,
    publicUrl: publicUrl!,
    secureCookies: publicUrl!.startsWith('https:'),
    smtpUrl,
    trustProxy: Object.freeze(trustProxy),
    logLevel: logLevel!,
    secretKey,
    secretKeySource,
    secretKeyCreated,
    organisationKeyId,
    timeZone,
    loadDemo,
    intake: Object.freeze(intake),
    evidence: Object.freeze(evidence),
    timeouts: Object.freeze(timeouts),
    metricsAllow: Object.freeze(metricsAllow),
  });
}

/** Reads whole numbers from min to max; anything else is a problem naming the variable, and the fallback stands. */
function wholeNumberReader(read: (name: string) => string | undefined, problems: string[], what = 'a whole number') {
  return (name: string, fallback: number, min: number, max: number): number => {
    const value = read(name) ?? String(fallback);
    if (/^\d+$/.test(value) && Number(value) >= min && Number(value) <= max) return Number(value);
    problems.push(`${name} must be ${what} from ${min} to ${max} (got "${value}").`);
    return fallback;
  };
}

function parseIntakeSettings(read: (name: string) => string | undefined, problems: string[]): IntakeSettings {
  const whole = wholeNumberReader(read, problems);
  const quickExitUrl = read('INTAKE_QUICK_EXIT_URL') ?? 'https://www.wikipedia.org/';
  if (!/^https?:\/\//.test(quickExitUrl) || !URL.canParse(quickExitUrl)) {
    problems.push(`INTAKE_QUICK_EXIT_URL must be an http:// or https:// address (got "${quickExitUrl}").`);
  }
  return {
    retentionDays: whole('INTAKE_RETENTION_DAYS', 90, 1, 3650),
    graceDays: whole('INTAKE_GRACE_DAYS', 14, 0, 365),
    maxUploadBytes: whole('INTAKE_MAX_UPLOAD_MB', 128, 1, 1024) * 1024 * 1024,
    dailyCap: whole('INTAKE_DAILY_CAP', 500, 1, 1_000_000),
    followUpsPerDay: whole('INTAKE_FOLLOW_UPS_PER_DAY', 10, 1, 1000),
    quickExitUrl,
  };
}

function parseEvidenceSettings(read: (name: string) => string | undefined, problems: string[]): EvidenceSettings {
  const whole = wholeNumberReader(read, problems);
  const list = (name: string) =>
    (read(name) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const captureAllowPrivate = list('EVIDENCE_CAPTURE_ALLOW_PRIVATE');
  for (const entry of captureAllowPrivate) {
    try {
      parseAddressList([entry]);
    } catch {
      problems.push(`EVIDENCE_CAPTURE_ALLOW_PRIVATE entries must be IP addresses or CIDR ranges (got "${entry}").`);
    }
  }
  const tsaUrls = list('EVIDENCE_TSA_URLS');
  for (const url of tsaUrls) {
    if (!/^https?:\/\//.test(url) || !URL.canParse(url)) problems.push(`EVIDENCE_TSA_URLS entries must be http:// or https:// addresses (got "${url}").`);
  }
  const trustFile = read('EVIDENCE_TSA_TRUST_FILE');
  const tsaTrustFile = trustFile === undefined ? null : path.resolve(trustFile);
  if (tsaUrls.length > 0 && tsaTrustFile === null) {
    problems.push('EVIDENCE_TSA_TRUST_FILE is required when EVIDENCE_TSA_URLS is set: a PEM file of the certificates the authorities’ tokens must chain to.');
  }
  // Checked at start so a typo is found now; read again at each use, so a changed bundle applies without a restart.
  if (tsaTrustFile !== null && !isPemBundle(tsaTrustFile)) {
    problems.push(`EVIDENCE_TSA_TRUST_FILE must be a readable PEM file holding at least one certificate (got "${tsaTrustFile}").`);
  }
  return {
    captureMaxBytes: whole('EVIDENCE_CAPTURE_MAX_MB', 50, 1, 1024) * 1024 * 1024,
    captureTimeoutMs: whole('EVIDENCE_CAPTURE_TIMEOUT_SECONDS', 60, 1, 600) * 1000,
    captureMaxRedirects: whole('EVIDENCE_CAPTURE_MAX_REDIRECTS', 5, 0, 20),
    captureAllowPrivate,
    tsaUrls,
    tsaTrustFile,
  };
}

function isPemBundle(file: string): boolean {
  try {
    return readFileSync(file, 'utf8').includes('-----BEGIN CERTIFICATE-----');
  } catch {
    return false;
  }
}

function parseTimeouts(read: (name: string) => string | undefined, problems: string[]): ServerTimeouts {
  const seconds = (name: string, fallback: number, min: number, max: number) =>
    wholeNumberReader(read, problems, 'a whole number of seconds')(name, fallback, min, max) * 1000;
  const headersMs = seconds('HEADER_TIMEOUT_SECONDS', 20, 1, 300);
  // Node refuses a header timeout longer than the whole request's.
  const requestMs = seconds('REQUEST_TIMEOUT_SECONDS', Math.max(60, headersMs / 1000), headersMs / 1000, 3600);
  return {
    headersMs,
    requestMs,
    idleMs: seconds('IDLE_TIMEOUT_SECONDS', 60, 1, 3600),
    keepAliveMs: seconds('KEEP_ALIVE_TIMEOUT_SECONDS', 72, 1, 3600),
    shutdownMs: seconds('SHUTDOWN_TIMEOUT_SECONDS', 10, 1, 600),
  };
}

const LOOPBACK = ['127.0.0.0/8', '::1'];

function parseMetricsAllow(value: string | undefined, problems: string[]): string[] {
  if (value === undefined) return LOOPBACK;
  if (value.toLowerCase() === 'none') return [];
  const entries = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .flatMap((entry) => (entry === 'loopback' ? LOOPBACK : [entry]));
  for (const entry of entries) {
    try {
      parseAddressList([entry]);
    } catch {
      problems.push(`METRICS_ALLOW entries must be IP addresses, CIDR ranges, "loopback", or the one word "none" (got "${entry}").`);
    }
  }
  return entries;
}

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

function parsePort(value: string, problems: string[]): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    problems.push(`PORT must be a whole number from 0 to 65535 (got "${value}").`);
    // The problem is reported; the default keeps the settings derived from PORT from reporting it twice.
    return 3000;
  }
  return port;
}

function checkDatabaseUrl(url: string, problems: string[]): void {
  if (url.startsWith('sqlite:')) {
    if (url.length === 'sqlite:'.length) problems.push('DATABASE_URL "sqlite:" needs a file path, e.g. sqlite:./data/outcry.db.');
    return;
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    if (!URL.canParse(url)) problems.push('DATABASE_URL is not a valid postgres:// URL.');
    return;
  }
  problems.push('DATABASE_URL must start with "sqlite:" (a file) or "postgres://" (a server).');
}

function parsePublicUrl(value: string, problems: string[]): string | undefined {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
    if (url.search || url.hash) throw new Error('query');
    return url.toString().replace(/\/$/, '');
  } catch {
    problems.push(`PUBLIC_URL must be an http:// or https:// address without query or fragment (got "${value}").`);
    return undefined;
  }
}

function parseSmtpUrl(value: string | undefined, problems: string[]): string | null {
  if (value === undefined) return null;
  try {
    const url = new URL(value);
    if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new Error('protocol');
    return value;
  } catch {
    problems.push('SMTP_URL must look like smtp://user:password@host:587 or smtps://host:465.');
    return null;
  }
}

function parseTrustProxy(value: string | undefined, problems: string[]): string[] {
  if (value === undefined) return [];
  const entries = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const ipLike = /^(loopback|linklocal|uniquelocal|[0-9a-fA-F:.]+(\/\d{1,3})?)$/;
  for (const entry of entries) {
    if (!ipLike.test(entry)) {
      problems.push(`TRUST_PROXY entries must be IP addresses, CIDR ranges or "loopback" (got "${entry}").`);
    }
  }
  return entries;
}

function parseLogLevel(value: string, problems: string[]): LogLevel | undefined {
  if ((LOG_LEVELS as readonly string[]).includes(value)) return value as LogLevel;
  problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${value}").`);
  return undefined;
}

function parseBoolean(name: string, value: string, problems: string[]): boolean {
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  problems.push(`${name} must be true or false (got "${value}").`);
  return false;
}

/** Generated once, then read on every start: a fresh secret per start would log everyone out and break links. */
function loadOrCreateSecret(file: string): Buffer {
  if (existsSync(file)) {
    const hex = readFileSync(file, 'utf8').trim();
    if (!/^[0-9a-f]{64,}$/.test(hex)) {
      throw new ConfigError([`${file} is damaged: expected 64 hexadecimal characters. Restore it from backup or set SECRET_KEY.`]);
    }
    return Buffer.from(hex, 'hex');
  }
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const hex = randomBytes(32).toString('hex');
  try {
    writeFileSync(file, `${hex}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process started at the same moment and wrote it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateSecret(file);
    throw error;
  }
  return Buffer.from(hex, 'hex');
}
