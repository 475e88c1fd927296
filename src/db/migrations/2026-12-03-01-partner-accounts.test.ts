/**
 * Widening users.role to take `partner` rebuilds the users table on SQLite: the sessions, second factors, recovery
 * codes and audit entries that point at users survive it, their cascades still work, and so does going back down.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createFreshDatabase, type FreshDatabase } from '../../../test/helpers/app.ts';
import { openDatabase, type Database, type DatabaseHandle } from '../database.ts';
import { migrateTo, migrateToLatest } from '../migrate.ts';

const BEFORE = '2026-12-02-10-intake-notifications';
const NOW = '2026-12-03T10:00:00.000Z';

async function insertUser(db: Database, email: string, role: 'owner' | 'editor' | 'partner' = 'editor'): Promise<number> {
  const row = await db
    .insertInto('users')
    .values({ email, password_hash: 'hash', role, created_at: NOW, disabled_at: null, last_login_at: NOW })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/** A user as the two-factor and session code leaves one: a session, a passkey, an authenticator, a recovery code, an audit entry. */
async function insertUserWithEverything(db: Database, email: string): Promise<number> {
  const id = await insertUser(db, email);
  await db
    .insertInto('sessions')
    .values({ id_hash: `session-${email}`, user_id: id, created_at: NOW, expires_at: NOW, last_seen_at: NOW })
    .execute();
  await db
    .insertInto('user_factors')
    .values([
      {
        user_id: id,
        kind: 'passkey',
        label: 'laptop',
        created_at: NOW,
        last_used_at: null,
        totp_secret_sealed: null,
        totp_last_step: null,
        credential_id: `cred-${email}`,
        public_key: Buffer.from([1, 2, 3]),
        sign_count: 7,
        transports: 'usb',
      },
      {
        user_id: id,
        kind: 'totp',
        label: 'phone',
        created_at: NOW,
        last_used_at: null,
        totp_secret_sealed: 'sealed',
        totp_last_step: 42,
        credential_id: null,
        public_key: null,
        sign_count: null,
        transports: null,
      },
    ])
    .execute();
  await db
    .insertInto('recovery_codes')
    .values({ user_id: id, code_hash: `code-${email}`, created_at: NOW, used_at: null })
    .execute();
  await db
    .insertInto('audit_log')
    .values({ user_id: id, action: 'test.action', entity_type: 'user', entity_id: String(id), changes: '{}', created_at: NOW })
    .execute();
  return id;
}

async function rowsOf(db: Database, userId: number) {
  const [user, sessions, factors, codes, audit] = await Promise.all([
    db.selectFrom('users').select(['email', 'role', 'last_login_at']).where('id', '=', userId).execute(),
    db.selectFrom('sessions').select(['id_hash']).where('user_id', '=', userId).execute(),
    db
      .selectFrom('user_factors')
      .select(['kind', 'credential_id', 'public_key', 'sign_count', 'totp_last_step'])
      .where('user_id', '=', userId)
      .orderBy('id')
      .execute(),
    db.selectFrom('recovery_codes').select(['code_hash']).where('user_id', '=', userId).execute(),
    db.selectFrom('audit_log').select(['action', 'user_id']).where('entity_id', '=', String(userId)).execute(),
  ]);
  return {
    user,
    sessions,
    factors: factors.map((f) => ({
      ...f,
      public_key: f.public_key ? [...f.public_key] : null,
      sign_count: f.sign_count === null ? null : Number(f.sign_count),
      totp_last_step: f.totp_last_step === null ? null : Number(f.totp_last_step),
    })),
    codes,
    audit: audit.map((a) => ({ action: a.action, userId: a.user_id === null ? null : Number(a.user_id) })),
  };
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  const enabled = dialect === 'sqlite' || inject('hasPostgres');
  (enabled ? describe : describe.skip)(`migration 2026-12-03-01-partner-accounts [${dialect}]`, () => {
    let fresh: FreshDatabase;
    let database: DatabaseHandle;
    beforeAll(async () => {
      fresh = await createFreshDatabase(dialect);
      database = openDatabase({ url: fresh.url, poolSize: 2 });
    });
    afterAll(async () => {
      await database.close();
      await fresh.drop();
    });

    it('takes the partner role and keeps every row that points at users, with its cascades', async () => {
      const { db } = database;
      await migrateTo(db, BEFORE);
      await expect(insertUser(db, 'too-early@example.org', 'partner')).rejects.toThrow();
      const kept = await insertUserWithEverything(db, 'kept@example.org');
      const doomed = await insertUserWithEverything(db, 'doomed@example.org');
      const deleted = await insertUser(db, 'deleted@example.org');
      await db.deleteFrom('users').where('id', '=', deleted).execute();
      const before = { kept: await rowsOf(db, kept), doomed: await rowsOf(db, doomed) };
      expect(before.kept.factors).toHaveLength(2);

      expect(await migrateToLatest(db)).toContain('2026-12-03-01-partner-accounts');

      expect(await rowsOf(db, kept)).toEqual(before.kept);
      expect(await rowsOf(db, doomed)).toEqual(before.doomed);
      const partner = await insertUser(db, 'partner@example.org', 'partner');
      expect(partner).toBeGreaterThan(deleted);
      await expect(insertUser(db, 'king@example.org', 'king' as 'owner')).rejects.toThrow();
      await expect(insertUser(db, 'kept@example.org')).rejects.toThrow();
      // Foreign keys are enforced again: a session for no one is refused.
      await expect(
        db.insertInto('sessions').values({ id_hash: 'orphan', user_id: 999_999, created_at: NOW, expires_at: NOW, last_seen_at: NOW }).execute(),
      ).rejects.toThrow();

      await db.deleteFrom('users').where('id', '=', doomed).execute();
      expect(await rowsOf(db, doomed)).toEqual({ user: [], sessions: [], factors: [], codes: [], audit: [{ action: 'test.action', userId: null }] });
      expect((await rowsOf(db, kept)).sessions).toHaveLength(1);
    });

    it('links a partner account to a partner recipient, both ways cascading', async () => {
      const { db } = database;
      const recipient = await db
        .insertInto('intake_recipients')
        .values({
          kind: 'partner',
          name: 'Route',
          description: 'd',
          region: '',
          public_key: 'k',
          fingerprint: `F-${dialect}`,
          algorithm: 'a',
          key_expires_at: null,
          created_at: NOW,
          updated_at: NOW,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const first = await insertUser(db, 'first-partner@example.org', 'partner');
      const second = await insertUser(db, 'second-partner@example.org', 'partner');
      await db
        .insertInto('intake_partner_accounts')
        .values([first, second].map((user_id) => ({ user_id, recipient_id: Number(recipient.id), created_at: NOW })))
        .execute();
      await db.deleteFrom('users').where('id', '=', first).execute();
      expect((await db.selectFrom('intake_partner_accounts').select('user_id').execute()).map((r) => Number(r.user_id))).toEqual([second]);
      await db.deleteFrom('intake_recipients').where('id', '=', recipient.id).execute();
      expect(await db.selectFrom('intake_partner_accounts').select('user_id').execute()).toEqual([]);
    });

    it('goes back down without the partner accounts, keeping everyone else, and up again', async () => {
      const { db } = database;
      const kept = await db.selectFrom('users').select('id').where('email', '=', 'kept@example.org').executeTakeFirstOrThrow();
      const before = await rowsOf(db, Number(kept.id));
      await migrateTo(db, BEFORE);
      expect(await db.selectFrom('users').select('email').where('role', '=', 'partner').execute()).toEqual([]);
      expect(await rowsOf(db, Number(kept.id))).toEqual(before);
      await expect(insertUser(db, 'partner-again@example.org', 'partner')).rejects.toThrow();
      await migrateToLatest(db);
      await insertUser(db, 'partner-again@example.org', 'partner');
      expect(await rowsOf(db, Number(kept.id))).toEqual(before);
    });
  });
}
