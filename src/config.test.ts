import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

const tempDir = () => mkdtempSync(path.join(tmpdir(), 'outcry-config-'));

function problemsFor(env: Record<string, string>): string[] {
  try {
    loadConfig({ DATA_DIR: tempDir(), ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('has working defaults: embedded SQLite under DATA_DIR on port 3000', () => {
    const dataDir = tempDir();
    const config = loadConfig({ DATA_DIR: dataDir });
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: `sqlite:${path.join(dataDir, 'outcry.db')}`,
      publicUrl: 'http://localhost:3000',
      secureCookies: false,
      smtpUrl: null,
      trustProxy: [],
      logLevel: 'info',
      loadDemo: true,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('picks PostgreSQL from DATABASE_URL and secure cookies from an https PUBLIC_URL', () => {
    const config = loadConfig({ DATA_DIR: tempDir(), DATABASE_URL: 'postgres://u@db:5432/outcry', PUBLIC_URL: 'https://act.example.org/' });
    expect(config.databaseUrl).toBe('postgres://u@db:5432/outcry');
    expect(config.publicUrl).toBe('https://act.example.org');
    expect(config.secureCookies).toBe(true);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT must be a whole number from 0 to 65535 (got "eighty").'],
    [{ PORT: '70000' }, 'PORT must be a whole number from 0 to 65535 (got "70000").'],
    [{ DATABASE_URL: 'mysql://localhost/outcry' }, 'DATABASE_URL must start with "sqlite:" (a file) or "postgres://" (a server).'],
    [{ DATABASE_URL: 'sqlite:' }, 'DATABASE_URL "sqlite:" needs a file path, e.g. sqlite:./data/outcry.db.'],
    [{ PUBLIC_URL: 'ftp://example.org' }, 'PUBLIC_URL must be an http:// or https:// address without query or fragment (got "ftp://example.org").'],
    [{ SMTP_URL: 'mail.example.org' }, 'SMTP_URL must look like smtp://user:password@host:587 or smtps://host:465.'],
    [{ TRUST_PROXY: 'everyone' }, 'TRUST_PROXY entries must be IP addresses, CIDR ranges or "loopback" (got "everyone").'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud").'],
    [{ LOAD_DEMO: 'maybe' }, 'LOAD_DEMO must be true or false (got "maybe").'],
    [{ SECRET_KEY: 'short' }, 'SECRET_KEY must be at least 64 hexadecimal characters (32 random bytes), e.g. from `openssl rand -hex 32`.'],
  ])('refuses %o with a message naming the variable', (env, message) => {
    expect(problemsFor(env)).toEqual([message]);
  });

  it('reports every bad variable at once', () => {
    expect(problemsFor({ PORT: '-1', LOG_LEVEL: 'x' })).toHaveLength(2);
  });

  it('generates the secret once, stores it privately, and reuses it on the next start', () => {
    const dataDir = tempDir();
    const first = loadConfig({ DATA_DIR: dataDir });
    const second = loadConfig({ DATA_DIR: dataDir });
    expect(first.secretKey.equals(second.secretKey)).toBe(true);
    expect(first.secretKey).toHaveLength(32);
    const file = path.join(dataDir, 'secret.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.secretKey.toString('hex'));
  });

  it('prefers SECRET_KEY and refuses a damaged secret file', () => {
    const hex = 'ab'.repeat(32);
    expect(loadConfig({ DATA_DIR: tempDir(), SECRET_KEY: hex }).secretKey.toString('hex')).toBe(hex);
    const dataDir = tempDir();
    writeFileSync(path.join(dataDir, 'secret.key'), 'not hex');
    expect(() => loadConfig({ DATA_DIR: dataDir })).toThrow(/secret\.key is damaged/);
  });
});

describe('timeouts and /metrics access', () => {
  it('has documented defaults: 20 s for headers, 60 s for a request or an idle connection, 72 s keep-alive, 10 s to stop, loopback metrics', () => {
    const config = loadConfig({ DATA_DIR: tempDir() });
    expect(config.timeouts).toEqual({ headersMs: 20_000, requestMs: 60_000, idleMs: 60_000, keepAliveMs: 72_000, shutdownMs: 10_000 });
    expect(config.metricsAllow).toEqual(['127.0.0.0/8', '::1']);
  });

  it('reads whole seconds, "loopback" among addresses, and "none"', () => {
    const config = loadConfig({
      DATA_DIR: tempDir(),
      HEADER_TIMEOUT_SECONDS: '5',
      REQUEST_TIMEOUT_SECONDS: '5',
      IDLE_TIMEOUT_SECONDS: '30',
      KEEP_ALIVE_TIMEOUT_SECONDS: '65',
      SHUTDOWN_TIMEOUT_SECONDS: '25',
      METRICS_ALLOW: '10.0.0.0/8, loopback',
    });
    expect(config.timeouts).toEqual({ headersMs: 5000, requestMs: 5000, idleMs: 30_000, keepAliveMs: 65_000, shutdownMs: 25_000 });
    expect(config.metricsAllow).toEqual(['10.0.0.0/8', '127.0.0.0/8', '::1']);
    expect(loadConfig({ DATA_DIR: tempDir(), METRICS_ALLOW: 'none' }).metricsAllow).toEqual([]);
    // A longer header timeout carries the request's default up with it (Node needs headers within the request's time).
    expect(loadConfig({ DATA_DIR: tempDir(), HEADER_TIMEOUT_SECONDS: '90' }).timeouts.requestMs).toBe(90_000);
  });

  it.each([
    [{ HEADER_TIMEOUT_SECONDS: '0' }, 'HEADER_TIMEOUT_SECONDS must be a whole number of seconds from 1 to 300 (got "0").'],
    [{ REQUEST_TIMEOUT_SECONDS: '1.5' }, 'REQUEST_TIMEOUT_SECONDS must be a whole number of seconds from 20 to 3600 (got "1.5").'],
    [{ HEADER_TIMEOUT_SECONDS: '30', REQUEST_TIMEOUT_SECONDS: '10' }, 'REQUEST_TIMEOUT_SECONDS must be a whole number of seconds from 30 to 3600 (got "10").'],
    [{ SHUTDOWN_TIMEOUT_SECONDS: 'soon' }, 'SHUTDOWN_TIMEOUT_SECONDS must be a whole number of seconds from 1 to 600 (got "soon").'],
    [
      { METRICS_ALLOW: 'prometheus.internal' },
      'METRICS_ALLOW entries must be IP addresses, CIDR ranges, "loopback", or the one word "none" (got "prometheus.internal").',
    ],
  ])('refuses %o with a message naming the variable', (env, message) => {
    expect(problemsFor(env)).toEqual([message]);
  });
});

describe('evidence captures and timestamps', () => {
  it('has documented defaults: 50 MiB, 60 s, 5 redirects, no private address, no timestamp authority', () => {
    expect(loadConfig({ DATA_DIR: tempDir() }).evidence).toEqual({
      captureMaxBytes: 50 * 1024 * 1024,
      captureTimeoutMs: 60_000,
      captureMaxRedirects: 5,
      captureAllowPrivate: [],
      tsaUrls: [],
      tsaTrustFile: null,
    });
  });

  it('reads the authorities with their trust file, and refuses them without one', () => {
    const dir = tempDir();
    const trust = path.join(dir, 'trust.pem');
    writeFileSync(trust, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const config = loadConfig({
      DATA_DIR: dir,
      EVIDENCE_TSA_URLS: 'https://freetsa.example/tsr, http://tsa.example/',
      EVIDENCE_TSA_TRUST_FILE: trust,
      EVIDENCE_CAPTURE_ALLOW_PRIVATE: '127.0.0.1, 10.0.0.0/8',
      EVIDENCE_CAPTURE_MAX_MB: '2',
    });
    expect(config.evidence).toMatchObject({
      tsaUrls: ['https://freetsa.example/tsr', 'http://tsa.example/'],
      tsaTrustFile: trust,
      captureAllowPrivate: ['127.0.0.1', '10.0.0.0/8'],
      captureMaxBytes: 2 * 1024 * 1024,
    });
    const problems = problemsFor({
      EVIDENCE_TSA_URLS: 'ftp://tsa.example/',
      EVIDENCE_CAPTURE_ALLOW_PRIVATE: 'intranet',
      EVIDENCE_CAPTURE_TIMEOUT_SECONDS: '0',
      EVIDENCE_CAPTURE_MAX_REDIRECTS: 'many',
    });
    expect(problems.join('\n')).toMatch(/EVIDENCE_TSA_URLS entries must be/);
    expect(problems.join('\n')).toMatch(/EVIDENCE_TSA_TRUST_FILE is required/);
    expect(problems.join('\n')).toMatch(/EVIDENCE_CAPTURE_ALLOW_PRIVATE entries/);
    expect(problems.join('\n')).toMatch(/EVIDENCE_CAPTURE_TIMEOUT_SECONDS/);
    expect(problems.join('\n')).toMatch(/EVIDENCE_CAPTURE_MAX_REDIRECTS/);
    expect(problemsFor({ EVIDENCE_TSA_TRUST_FILE: path.join(dir, 'missing.pem') })).toEqual([
      `EVIDENCE_TSA_TRUST_FILE must be a readable PEM file holding at least one certificate (got "${path.join(dir, 'missing.pem')}").`,
    ]);
  });
});
