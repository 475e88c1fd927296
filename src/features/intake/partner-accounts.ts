/**
 * Partner organisations' own accounts (role `partner`): each is linked to one partner recipient and reads only the
 * requests for help sent to it. Made on the server's command line (`outcry intake partner-account`), like every
 * account; removing the recipient unlinks its accounts (they then see an empty inbox).
 */
import type { Database } from '../../db/database.ts';
import { AppError } from '../../errors.ts';
import { recordAudit } from '../audit/index.ts';
import { addOrResetPartnerUser } from '../users/index.ts';

export interface PartnerRecipient {
  id: number;
  name: string;
}

/** The partner recipient with this id; anything else (a reviewer, no one) is refused with where to find the ids. */
export async function getPartnerRecipient(db: Database, id: number): Promise<PartnerRecipient> {
  const row = await db.selectFrom('intake_recipients').select(['id', 'name', 'kind']).where('id', '=', id).executeTakeFirst();
  if (row?.kind !== 'partner') {
    const what = row ? `Recipient ${id} is a reviewer, not a partner organisation` : `No intake recipient has the ID ${id}`;
    throw new AppError('validation_failed', `${what}: the recipients page (/admin/intake/recipients) shows each partner's ID.`);
  }
  return { id: Number(row.id), name: row.name };
}

/** The partner recipient an account reads for, if it is linked to one. */
export async function findLinkedPartnerId(db: Database, userId: number): Promise<number | undefined> {
  const row = await db.selectFrom('intake_partner_accounts').select('recipient_id').where('user_id', '=', userId).executeTakeFirst();
  return row ? Number(row.recipient_id) : undefined;
}

/** How many accounts each partner recipient has, by recipient id (disabled ones included: they are still linked). */
export async function countPartnerAccounts(db: Database): Promise<Map<number, number>> {
  const rows = await db
    .selectFrom('intake_partner_accounts')
    .select((eb) => ['recipient_id', eb.fn.countAll<number>().as('n')])
    .groupBy('recipient_id')
    .execute();
  return new Map(rows.map((row) => [Number(row.recipient_id), Number(row.n)]));
}

/**
 * Creates a partner organisation's account, or resets its password (ending its sessions), and links it to the
 * partner recipient — all in one transaction, audited. An account already linked elsewhere is moved.
 */
export async function addOrResetPartnerAccount(
  db: Database,
  options: { email: string; password: string; partnerId: number; now?: Date },
): Promise<{ id: number; created: boolean; disabled: boolean; sessionsEnded: number; partner: PartnerRecipient }> {
  const partner = await getPartnerRecipient(db, options.partnerId);
  const result = await addOrResetPartnerUser(db, {
    email: options.email,
    password: options.password,
    link: async (trx, userId) => {
      // Checked again inside the transaction: the recipient may have been removed meanwhile.
      await getPartnerRecipient(trx, partner.id);
      const before = await findLinkedPartnerId(trx, userId);
      if (before === partner.id) return;
      const createdAt = (options.now ?? new Date()).toISOString();
      await trx
        .insertInto('intake_partner_accounts')
        .values({ user_id: userId, recipient_id: partner.id, created_at: createdAt })
        .onConflict((oc) => oc.column('user_id').doUpdateSet({ recipient_id: partner.id, created_at: createdAt }))
        .execute();
      await recordAudit(trx, {
        userId: null,
        action: 'intake.partner-account.link',
        entityType: 'user',
        entityId: userId,
        changes: { partner: [before ?? null, partner.id] },
      });
    },
  });
  return { ...result, partner };
}
