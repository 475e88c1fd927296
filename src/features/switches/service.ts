/** Flipping a kill switch from the admin: the setting and its audit entry land in one transaction. */
import type { Database } from '../../db/database.ts';
import { recordAudit } from '../audit/index.ts';
import { setSwitch, type SwitchName } from './switches.ts';

const state = (on: boolean) => (on ? 'on' : 'off');

/** Sets one switch. Returns false (and records nothing) when it was already in that state. */
export async function changeSwitch(db: Database, options: { userId: number | null; name: SwitchName; on: boolean }): Promise<boolean> {
  const { name, on } = options;
  return db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('settings').select('value').where('key', '=', `switch.${name}`).executeTakeFirst();
    const wasOn = before?.value === 'on';
    if (wasOn === on) return false;
    await setSwitch(trx, name, on);
    await recordAudit(trx, {
      userId: options.userId,
      action: 'switch.set',
      entityType: 'switch',
      entityId: name,
      changes: { [name]: [state(wasOn), state(on)] },
    });
    return true;
  });
}
