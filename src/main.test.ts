/**
 * A production site (https) refuses to start in a state that undoes the README's promises — the demo's key on the
 * server, mail written in clear to disk — and says what to do; the secret's place is chosen by SECRET_KEY_FILE.
 */
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../test/helpers/cli.ts';
import { ConfigError, loadConfig } from './config.ts';
import { DEMO_KEY_FILE } from './features/demo/index.ts';
import { assertSafeForProduction } from './main.ts';

const tempDir = () => mkdtempSync(path.join(tmpdir(), 'outcry-main-'));
const SAFE = { PUBLIC_URL: 'https://act.example.org', LOAD_DEMO: 'false', SMTP_URL: 'smtp://mail.example.org:587' };

function problemsOf(env: Record<string, string>, dataDir = tempDir()): string[] {
  try {
    assertSafeForProduction(loadConfig({ DATA_DIR: dataDir, ...env }));
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('starting a production site', () => {
  it('starts when nothing is unsafe, and over http whatever the defaults', () => {
    expect(problemsOf(SAFE)).toEqual([]);
    expect(problemsOf({})).toEqual([]);
  });

  it('refuses the demo, the demo key on the server and mail written to disk, each with what to do', () => {
    expect(problemsOf({ ...SAFE, LOAD_DEMO: 'true' })).toEqual(['LOAD_DEMO is on: a real campaign starts empty. Set LOAD_DEMO=false.']);
    expect(problemsOf({ ...SAFE, SMTP_URL: '' })).toEqual([expect.stringContaining('SMTP_URL is not set')]);
    const dataDir = tempDir();
    writeFileSync(path.join(dataDir, DEMO_KEY_FILE), 'demo');
    expect(problemsOf(SAFE, dataDir)).toEqual([expect.stringContaining('Run `outcry keys new` on your own computer, then delete that file.')]);
    const intakeDir = tempDir();
    writeFileSync(path.join(intakeDir, 'DEMO-ONLY-intake-reviewer-private.asc'), 'demo');
    expect(problemsOf(SAFE, intakeDir)).toEqual([expect.stringContaining('Remove the demo readers on Intake → recipients')]);
  });

  it('keeps the generated secret where SECRET_KEY_FILE says, outside the data folder, readable by its owner only', () => {
    const dataDir = tempDir();
    const file = path.join(tempDir(), 'keys', 'outcry.key');
    const config = loadConfig({ DATA_DIR: dataDir, SECRET_KEY_FILE: file });
    expect(config.secretKeySource).toEqual({ kind: 'file', path: file });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadConfig({ DATA_DIR: dataDir, SECRET_KEY_FILE: file }).secretKey.equals(config.secretKey)).toBe(true);
    expect(loadConfig({ DATA_DIR: dataDir }).secretKeySource).toEqual({ kind: 'file', path: path.join(dataDir, 'secret.key') });
  });

  it('`outcry start` on https with the defaults exits 2 and names every problem', async () => {
    const result = await runCli(['start'], { DATA_DIR: tempDir(), PUBLIC_URL: 'https://act.example.org', PORT: '0' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('LOAD_DEMO is on');
    expect(result.stderr).toContain('SMTP_URL is not set');
  });
});
