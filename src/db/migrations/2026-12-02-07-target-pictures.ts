import { columnTypes, type MigrationDb } from './helpers.ts';

/** A target's picture, uploaded by an organiser, its metadata removed: apart from the targets so lists never load it. */
export async function up(db: MigrationDb): Promise<void> {
  const t = columnTypes(db);
  await db.schema
    .createTable('target_pictures')
    .addColumn('target_id', t.bigint, (c) => c.primaryKey().references('targets.id').onDelete('cascade'))
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('bytes', t.binary, (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropTable('target_pictures').execute();
}
