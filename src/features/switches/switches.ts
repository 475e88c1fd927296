/**
 * Kill switches an organiser flips in the admin during an attack or an outage. They live in the settings table and
 * every process re-reads them at most a second later: no restart, no deploy.
 */
import type { Database } from '../../db/database.ts';

export interface Switches {
  /** New signatures are refused with a polite message. */
  signingPaused: boolean;
  /** Counts freeze on the page (signatures are still taken and counted later). */
  countingPaused: boolean;
  /** Signers must solve a small proof-of-work puzzle in the browser (or wait and resubmit without JavaScript). */
  requireProofOfWork: boolean;
  /** Intake's forms too: a puzzle in the browser, or without JavaScript a page open for a minute before sending. */
  intakeProofOfWork: boolean;
}

export type SwitchName = keyof Switches;
export const SWITCH_NAMES: readonly SwitchName[] = ['signingPaused', 'countingPaused', 'requireProofOfWork', 'intakeProofOfWork'];
const REFRESH_MS = 1000;

export class SwitchBoard {
  private current: Switches = { signingPaused: false, countingPaused: false, requireProofOfWork: false, intakeProofOfWork: false };
  private loadedAt = 0;
  private loading: Promise<Switches> | undefined;

  constructor(private readonly db: Database) {}

  async get(now = Date.now()): Promise<Switches> {
    if (now - this.loadedAt < REFRESH_MS) return this.current;
    this.loading ??= this.load(now).finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load(now: number): Promise<Switches> {
    const rows = await this.db
      .selectFrom('settings')
      .select(['key', 'value'])
      .where(
        'key',
        'in',
        SWITCH_NAMES.map((n) => `switch.${n}`),
      )
      .execute();
    const next: Switches = { signingPaused: false, countingPaused: false, requireProofOfWork: false, intakeProofOfWork: false };
    for (const row of rows) next[row.key.slice('switch.'.length) as SwitchName] = row.value === 'on';
    this.current = next;
    this.loadedAt = now;
    return next;
  }

  /** Forget the cached values, so this process sees a change it just made at once. */
  invalidate(): void {
    this.loadedAt = 0;
  }
}

export async function setSwitch(db: Database, name: SwitchName, on: boolean): Promise<boolean> {
  const key = `switch.${name}`;
  const before = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  await db
    .insertInto('settings')
    .values({ key, value: on ? 'on' : 'off', updated_at: new Date().toISOString() })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: on ? 'on' : 'off', updated_at: new Date().toISOString() }))
    .execute();
  return (before?.value === 'on') !== on;
}
