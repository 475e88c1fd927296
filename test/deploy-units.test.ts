/**
 * The systemd units in deploy/systemd, checked by systemd itself without booting it: `systemd-analyze verify` (every
 * directive known and well-formed, the command executable) and `systemd-analyze security --offline` (the exposure the
 * hardening leaves), against a throwaway root holding Debian's own units, the units as shipped, the environment
 * template and a stand-in for /opt/outcry/bin/outcry.js.
 *
 * Skipped, loudly (see test/helpers/global-setup.ts), where systemd-analyze is absent; REQUIRE_SYSTEMD=1 (CI) makes
 * that a failure.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SYSTEMD_ANALYZE_PATH, SYSTEMD_UNITS_DIR } from './helpers/environment.ts';

const DEPLOY = fileURLToPath(new URL('../deploy/', import.meta.url));
const UNITS = ['outcry-web@3000.service', 'outcry-worker.service'];

describe.skipIf(!inject('hasSystemd'))('deploy/systemd units, as systemd reads them', () => {
  let root: string;

  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'outcry-units-'));
    const units = path.join(root, 'etc/systemd/system');
    mkdirSync(path.join(root, 'usr/lib/systemd'), { recursive: true });
    cpSync(SYSTEMD_UNITS_DIR, path.join(root, 'usr/lib/systemd/system'), { recursive: true, verbatimSymlinks: true });
    mkdirSync(units, { recursive: true });
    for (const unit of readdirSync(path.join(DEPLOY, 'systemd'))) cpSync(path.join(DEPLOY, 'systemd', unit), path.join(units, unit));
    mkdirSync(path.join(root, 'etc/outcry'), { recursive: true });
    cpSync(path.join(DEPLOY, 'outcry.env.example'), path.join(root, 'etc/outcry/outcry.env'));
    mkdirSync(path.join(root, 'opt/outcry/bin'), { recursive: true });
    writeFileSync(path.join(root, 'opt/outcry/bin/outcry.js'), '#!/bin/sh\n');
    chmodSync(path.join(root, 'opt/outcry/bin/outcry.js'), 0o755);
  });

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('verifies both units: every directive known and valid, the command there', () => {
    const result = spawnSync(SYSTEMD_ANALYZE_PATH, ['verify', '--man=no', `--root=${root}`, ...UNITS], { encoding: 'utf8' });
    // A directive systemd cannot parse is "ignored" with exit status 0: its line on stderr is the failure.
    const complaints = result.stderr.split('\n').filter((line) => line.includes('outcry'));
    expect(complaints).toEqual([]);
    expect(result.status, result.stderr).toBe(0);
  });

  it.each(UNITS)('hardens %s to an exposure systemd calls OK or better', (unit) => {
    const report = execFileSync(SYSTEMD_ANALYZE_PATH, ['security', '--offline=true', `--root=${root}`, '--no-pager', unit], { encoding: 'utf8' });
    const level = Number(/Overall exposure level for \S+: ([\d.]+)/.exec(report)?.[1]);
    // 0 is a perfect sandbox, 10 none; 3.0 is where systemd stops calling it OK. Node needs W^X off and the network.
    expect(level).toBeLessThanOrEqual(3.0);
    for (const directive of ['PrivateDevices=', 'NoNewPrivileges=', 'ProtectSystem=', 'User=/DynamicUser=']) {
      expect(report).toMatch(new RegExp(`✓ ${directive.replace('/', '\\/')}`));
    }
  });
});
