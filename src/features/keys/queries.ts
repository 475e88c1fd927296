/**
 * The organisation's public keys. Only public halves are ever stored; `outcry keys new` hands the secret half to
 * the organiser as a file. One key is active: new supporter data is sealed to it; older data stays readable with
 * the older secret keys.
 */
import type { Database } from '../../db/database.ts';

export interface OrganisationPublicKey {
  keyId: string;
  publicKey: Buffer;
}

export async function findActiveOrganisationKey(db: Database): Promise<OrganisationPublicKey | undefined> {
  const row = await db.selectFrom('organisation_keys').select(['key_id', 'public_key']).where('active', '=', 1).orderBy('id', 'desc').executeTakeFirst();
  return row ? { keyId: row.key_id, publicKey: Buffer.from(row.public_key, 'base64url') } : undefined;
}

/** Makes `key` the active key; the previous ones stay on record for reading old data. */
export async function activateOrganisationKey(db: Database, key: OrganisationPublicKey): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('organisation_keys').set({ active: 0 }).where('active', '=', 1).execute();
    await trx
      .insertInto('organisation_keys')
      .values({ key_id: key.keyId, public_key: key.publicKey.toString('base64url'), active: 1, created_at: new Date().toISOString() })
      .onConflict((oc) => oc.column('key_id').doUpdateSet({ active: 1 }))
      .execute();
  });
}
