/**
 * Server-side sessions. The browser holds a random token; the database holds only its SHA-256, so a copy of the
 * database cannot be replayed as a login. Sessions slide for 12 idle hours and end after 7 days whatever happens.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sha256Hex } from '../crypto/keys.ts';
import type { Database } from '../db/database.ts';
import type { Role } from '../db/schema.ts';
import { cookieName } from './cookies.ts';

/** The session cookie's name over http; over https it is `__Host-outcry_session` (see cookieName). */
export const SESSION_COOKIE = 'outcry_session';
const IDLE_MS = 12 * 60 * 60 * 1000;
const ABSOLUTE_MS = 7 * 24 * 60 * 60 * 1000;
// Writing last_seen on every request would turn each admin page view into a write; five minutes is precise enough.
const TOUCH_AFTER_MS = 5 * 60 * 1000;

export interface SessionUser {
  id: number;
  email: string;
  role: Role;
}

export async function createSession(db: Database, userId: number, now = new Date()): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db
    .insertInto('sessions')
    .values({
      id_hash: sha256Hex(token),
      user_id: userId,
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      expires_at: new Date(now.getTime() + IDLE_MS).toISOString(),
    })
    .execute();
  return token;
}

export async function loadSessionUser(db: Database, token: string | undefined, now = new Date()): Promise<SessionUser | undefined> {
  if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
  const idHash = sha256Hex(token);
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['users.id', 'users.email', 'users.role', 'users.disabled_at', 'sessions.created_at', 'sessions.expires_at', 'sessions.last_seen_at'])
    .where('sessions.id_hash', '=', idHash)
    .executeTakeFirst();
  if (!row) return undefined;
  const absoluteEnd = Date.parse(row.created_at) + ABSOLUTE_MS;
  if (row.disabled_at !== null || Date.parse(row.expires_at) <= now.getTime() || absoluteEnd <= now.getTime()) {
    await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
    return undefined;
  }
  if (now.getTime() - Date.parse(row.last_seen_at) > TOUCH_AFTER_MS) {
    await db
      .updateTable('sessions')
      .set({ last_seen_at: now.toISOString(), expires_at: new Date(Math.min(now.getTime() + IDLE_MS, absoluteEnd)).toISOString() })
      .where('id_hash', '=', idHash)
      .execute();
  }
  return { id: Number(row.id), email: row.email, role: row.role };
}

export async function destroySession(db: Database, token: string | undefined): Promise<void> {
  if (!token) return;
  await db.deleteFrom('sessions').where('id_hash', '=', sha256Hex(token)).execute();
}

/** Ends every session of an account, on every device (a reset password, a disabled account); returns how many. */
export async function destroyUserSessions(db: Database, userId: number): Promise<number> {
  const result = await db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function deleteExpiredSessions(db: Database, now = new Date()): Promise<void> {
  await db.deleteFrom('sessions').where('expires_at', '<=', now.toISOString()).execute();
}

/** The session token this request's browser presents, under the cookie name this deployment uses. */
export function readSessionToken(request: FastifyRequest): string | undefined {
  return request.cookies[cookieName(SESSION_COOKIE, request.server.deps.config.secureCookies)];
}

export function setSessionCookie(reply: FastifyReply, token: string, secure: boolean): void {
  reply.setCookie(cookieName(SESSION_COOKIE, secure), token, { path: '/', httpOnly: true, sameSite: 'strict', secure, maxAge: ABSOLUTE_MS / 1000 });
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(cookieName(SESSION_COOKIE, secure), { path: '/', httpOnly: true, sameSite: 'strict', secure });
}
