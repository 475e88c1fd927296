/**
 * Who may do what in the organisers' area. Owners do everything, editors manage campaigns, moderators review
 * (suspect signatures; later statements) but change no campaign. A partner organisation's account reads only the
 * requests for help sent to that organisation, in intake's inbox, and nothing else.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { loadSessionUser, readSessionToken } from '../../web/session.ts';
import { mustEnrolSecondFactor } from './two-factor/policy.ts';

export type Permission =
  | 'campaigns:view'
  | 'campaigns:edit'
  | 'audit:view'
  /** Review suspect signatures: restore one to the count, or set one aside. */
  | 'signatures:moderate'
  /** Flip the kill switches (everyone who can see campaigns can see their state). */
  | 'switches:edit'
  /** Read the development mailbox: it holds supporters' addresses in the clear. */
  | 'mailbox:view'
  /** Choose whose keys intake encrypts to: whoever holds those keys reads what people at risk send. */
  | 'intake:manage'
  /** See intake's inbox (dates and kinds only; the content needs a reader's private key), reply, delete early. */
  | 'intake:review'
  /** The same, for the requests for help sent to the partner organisation the account is linked to, and no others. */
  | 'intake:partner';

const PERMISSIONS: Record<Role, readonly Permission[]> = {
  owner: ['campaigns:view', 'campaigns:edit', 'audit:view', 'signatures:moderate', 'switches:edit', 'mailbox:view', 'intake:manage', 'intake:review'],
  editor: ['campaigns:view', 'campaigns:edit', 'audit:view', 'signatures:moderate', 'switches:edit', 'intake:review'],
  moderator: ['campaigns:view', 'signatures:moderate'],
  partner: ['intake:partner'],
};

/** Where a role starts: a partner organisation's account can open only its inbox, so /admin sends it there. */
const HOMES: Partial<Record<Role, string>> = { partner: '/admin/intake' };

export function can(role: Role, permission: Permission | string): boolean {
  return (PERMISSIONS[role] as readonly string[]).includes(permission);
}

/**
 * preHandler for every admin page but the login: no session sends a browser to the login page, and an owner who must
 * add a second factor first is sent to the security page.
 */
export async function requireUser(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const { database, config } = request.server.deps;
  request.user = await loadSessionUser(database.db, readSessionToken(request));
  if (request.user) {
    // Admin pages show data that must not linger in shared or proxy caches.
    reply.header('cache-control', 'no-store');
    if (!request.url.startsWith('/admin/security') && (await mustEnrolSecondFactor(database.db, config, request.user))) {
      if (request.method !== 'GET') throw new AppError('forbidden', 'Add a second sign-in step on the security page first');
      await reply.redirect('/admin/security', 303);
    }
    return;
  }
  if (request.method === 'GET') {
    const next = request.url.startsWith('/admin') ? request.url : '/admin';
    await reply.redirect(`/admin/login?${new URLSearchParams({ next })}`, 303);
    return;
  }
  throw new AppError('unauthenticated', 'Log in first');
}

/** preHandler: the user's role holds one of `permissions` (any), otherwise a 403. */
export function requirePermission(...permissions: [Permission, ...Permission[]]) {
  return async (request: FastifyRequest): Promise<void> => {
    const { user } = request;
    if (!user || !permissions.some((permission) => can(user.role, permission))) throw new AppError('forbidden', 'Not allowed for this role');
  };
}

/** preHandler for the dashboard, after requireUser: a role whose only pages are elsewhere is sent there, not shown a 403. */
export async function redirectToRoleHome(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const home = request.user ? HOMES[request.user.role] : undefined;
  if (home && request.method === 'GET') await reply.redirect(home, 303);
}

/**
 * Only same-site admin paths are accepted as a place to return to after login: no open redirect. They are
 * printable ASCII (a browser sends its URLs percent-encoded): anything else cannot go into a Location header.
 */
export function safeNextPath(next: unknown): string {
  return typeof next === 'string' && /^\/admin(?:[/?#][!-~]*)?$/.test(next) && !next.includes('//') && !next.includes('\\') ? next : '/admin';
}
