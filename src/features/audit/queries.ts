import type { Database } from '../../db/database.ts';

export type Changes = Record<string, readonly [unknown, unknown]>;

export interface AuditEntry {
  userId: number | null;
  action: string;
  entityType: string;
  entityId: number | string | null;
  changes: Changes;
}

/** Records one admin change. Call it inside the transaction that makes the change, so both land or neither. */
export async function recordAudit(db: Database, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      user_id: entry.userId,
      action: entry.action,
      entity_type: entry.entityType,
      entity_id: entry.entityId === null ? null : String(entry.entityId),
      changes: JSON.stringify(entry.changes),
      created_at: new Date().toISOString(),
    })
    .execute();
}

/** The fields whose values differ between two versions of a record, as { field: [before, after] }. */
export function diffFields<T extends Record<string, unknown>>(before: Partial<T>, after: Partial<T>): Changes {
  const changes: Record<string, readonly [unknown, unknown]> = {};
  for (const key of Object.keys(after)) {
    if (before[key] !== after[key]) changes[key] = [before[key] ?? null, after[key] ?? null];
  }
  return changes;
}

export interface AuditRow {
  id: number;
  createdAt: string;
  userEmail: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  changes: Changes;
}

export async function listAuditEntries(db: Database, options: { limit: number; beforeId?: number }): Promise<AuditRow[]> {
  let query = db
    .selectFrom('audit_log')
    .leftJoin('users', 'users.id', 'audit_log.user_id')
    .select(['audit_log.id', 'audit_log.created_at', 'users.email', 'audit_log.action', 'audit_log.entity_type', 'audit_log.entity_id', 'audit_log.changes'])
    .orderBy('audit_log.id', 'desc')
    .limit(options.limit);
  if (options.beforeId !== undefined) query = query.where('audit_log.id', '<', options.beforeId);
  const rows = await query.execute();
  return rows.map((row) => ({
    id: Number(row.id),
    createdAt: row.created_at,
    userEmail: row.email,
    action: row.action,
    entityType: row.entity_type,
    entityId: row.entity_id,
    changes: JSON.parse(row.changes) as Changes,
  }));
}
