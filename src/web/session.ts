/**
 * Server-side sessions. The browser holds a random token; the database holds only its SHA-256, so a copy of the
 * database cannot be replayed as a login. Sessions slide for 12 idle hours and end after 7 days whatever happens.
 * A session whose account has a second factor starts half open (`second-factor`): it opens no page, only the
 * second-factor step, for ten minutes; passing that step replaces it with a full session under a new token.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sha256Hex } from '../crypto/keys.ts';
import type { Database } from '../db/database.ts';
import type { Role, SessionStage } from '../db/schema.ts';
import { cookieName } from './cookies.ts';

/** The session cookie's name over http; over https it is `__Host-outcry_session` (see cookieName). */
export const SESSION_COOKIE = 'outcry_session';
const IDLE_MS = 12 * 60 * 60 * 1000;
const ABSOLUTE_MS = 7 * 24 * 60 * 60 * 1000;
// Writing last_seen on every request would turn each admin page view into a write; five minutes is precise enough.
const TOUCH_AFTER_MS = 5 * 60 * 1000;
const HALF_OPEN_MS = 10 * 60 * 1000;

export interface SessionUser {
  id: number;
  email: string;
  role: Role;
}

export async function createSession(db: Database, userId: number, options: { stage?: SessionStage; now?: Date } = {}): Promise<string> {
  const { stage = 'full', now = new Date() } = options;
  const token = randomBytes(32).toString('base64url');
  await db
    .insertInto('sessions')
    .values({
      id_hash: sha256Hex(token),
      user_id: userId,
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      expires_at: new Date(now.getTime() + (stage === 'full' ? IDLE_MS : HALF_OPEN_MS)).toISOString(),
      stage,
    })
    .execute();
  return token;
}

function isTokenShaped(token: string | undefined): token is string {
  return token !== undefined && /^[A-Za-z0-9_-]{43}$/.test(token);
}

async function findLiveSession(db: Database, token: string | undefined, stage: SessionStage, now: Date) {
  if (!isTokenShaped(token)) return undefined;
  const idHash = sha256Hex(token);
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'users.id',
      'users.email',
      'users.role',
      'users.disabled_at',
      'sessions.created_at',
      'sessions.expires_at',
      'sessions.last_seen_at',
      'sessions.stage',
      'sessions.challenge',
      'sessions.failed_attempts',
    ])
    .where('sessions.id_hash', '=', idHash)
    .executeTakeFirst();
  if (!row || row.stage !== stage) return undefined;
  const absoluteEnd = Date.parse(row.created_at) + ABSOLUTE_MS;
  if (row.disabled_at !== null || Date.parse(row.expires_at) <= now.getTime() || absoluteEnd <= now.getTime()) {
    await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
    return undefined;
  }
  return { ...row, idHash, absoluteEnd };
}

export async function loadSessionUser(db: Database, token: string | undefined, now = new Date()): Promise<SessionUser | undefined> {
  const row = await findLiveSession(db, token, 'full', now);
  if (!row) return undefined;
  const { idHash, absoluteEnd } = row;
  if (now.getTime() - Date.parse(row.last_seen_at) > TOUCH_AFTER_MS) {
    await db
      .updateTable('sessions')
      .set({ last_seen_at: now.toISOString(), expires_at: new Date(Math.min(now.getTime() + IDLE_MS, absoluteEnd)).toISOString() })
      .where('id_hash', '=', idHash)
      .execute();
  }
  return { id: Number(row.id), email: row.email, role: row.role };
}

/** A session between the password and the second factor: whose it is, its WebAuthn challenge, its wrong codes. */
export interface HalfOpenSession extends SessionUser {
  challenge: string | null;
  failedAttempts: number;
}

export async function loadHalfOpenSession(db: Database, token: string | undefined, now = new Date()): Promise<HalfOpenSession | undefined> {
  const row = await findLiveSession(db, token, 'second-factor', now);
  if (!row) return undefined;
  return { id: Number(row.id), email: row.email, role: row.role, challenge: row.challenge, failedAttempts: row.failed_attempts };
}

/** Remembers the WebAuthn challenge given to this browser (a full or half-open session), until it is answered. */
export async function setSessionChallenge(db: Database, token: string, challenge: string | null): Promise<void> {
  await db.updateTable('sessions').set({ challenge }).where('id_hash', '=', sha256Hex(token)).execute();
}

export async function readSessionChallenge(db: Database, token: string): Promise<string | null> {
  const row = await db.selectFrom('sessions').select('challenge').where('id_hash', '=', sha256Hex(token)).executeTakeFirst();
  return row?.challenge ?? null;
}

/** Counts a wrong second-factor code against a half-open session; returns how many it now has. */
export async function countFailedAttempt(db: Database, token: string): Promise<number> {
  const row = await db
    .updateTable('sessions')
    .set((eb) => ({ failed_attempts: eb('failed_attempts', '+', 1) }))
    .where('id_hash', '=', sha256Hex(token))
    .returning('failed_attempts')
    .executeTakeFirst();
  return row?.failed_attempts ?? Number.POSITIVE_INFINITY;
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

export function setSessionCookie(reply: FastifyReply, token: string, secure: boolean, stage: SessionStage = 'full'): void {
  const maxAge = (stage === 'full' ? ABSOLUTE_MS : HALF_OPEN_MS) / 1000;
  reply.setCookie(cookieName(SESSION_COOKIE, secure), token, { path: '/', httpOnly: true, sameSite: 'strict', secure, maxAge });
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(cookieName(SESSION_COOKIE, secure), { path: '/', httpOnly: true, sameSite: 'strict', secure });
}
