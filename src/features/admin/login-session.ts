/** The end of a successful login, with or without a second factor: a full session under a new token. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createSession, destroySession, readSessionToken, setSessionCookie } from '../../web/session.ts';
import { recordLogin } from '../users/index.ts';

export async function openFullSession(request: FastifyRequest, reply: FastifyReply, userId: number): Promise<void> {
  const { db } = request.server.deps.database;
  // Whatever session this browser held (half open, or an earlier login) ends here rather than lingering; other devices keep theirs.
  await destroySession(db, readSessionToken(request));
  const token = await createSession(db, userId);
  await recordLogin(db, userId);
  setSessionCookie(reply, token, request.server.deps.config.secureCookies);
}
