import type { FastifyInstance } from 'fastify';
import { AppError, type FieldErrors } from '../../errors.ts';
import { asFormBody, readText } from '../../web/form.ts';
import { pageContext } from '../../web/context.ts';
import { sendPage } from '../../web/layout.tsx';
import { TokenBucketLimiter } from '../../web/rate-limit.ts';
import { clearSessionCookie, createSession, destroySession, readSessionToken, setSessionCookie } from '../../web/session.ts';
import { deriveKey, hmacBase64Url } from '../../crypto/keys.ts';
import { clientKey } from '../../web/client-key.ts';
import { parseId } from '../../web/form.ts';
import { listAuditEntries } from '../audit/index.ts';
import { authenticate, normaliseAdminEmail } from '../users/index.ts';
import { openFullSession } from './login-session.ts';
import { countFactors } from './two-factor/queries.ts';
import { registerTwoFactorRoutes } from './two-factor/routes.tsx';
import { requirePermission, requireUser, safeNextPath } from './auth.ts';
import { AuditPage, LoginPage } from './views.tsx';

const AUDIT_PAGE_SIZE = 50;

export function registerAdminRoutes(app: FastifyInstance): void {
  const { db } = app.deps.database;
  const { secureCookies } = app.deps.config;
  const throttleKey = deriveKey(app.deps.config.secretKey, 'login-throttle');
  // Ten tries, then one every 30 s, per client and per account *from that client*: a guesser at one address slows
  // only itself, and cannot lock an organiser out from theirs (when a kill switch is needed, say).
  const perClient = new TokenBucketLimiter({ capacity: 10, refillPerSecond: 1 / 30 });
  const perAccountClient = new TokenBucketLimiter({ capacity: 10, refillPerSecond: 1 / 30 });
  // Per account from everywhere, a ceiling only a distributed guesser reaches (then 20 tries a minute). An address the
  // account has logged in from before (in this process) is not held by it: that guesser cannot lock the organiser out.
  const perAccount = new TokenBucketLimiter({ capacity: 100, refillPerSecond: 1 / 3 });
  const knownClients = new KnownKeys(10_000);

  app.get<{ Querystring: { next?: unknown; again?: unknown } }>('/admin/login', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const ctx = pageContext(request, reply);
    const notice = request.query.again === '1' ? ctx.t('twoFactor.startAgain') : undefined;
    return sendPage(reply, <LoginPage ctx={ctx} values={{}} errors={{}} failed={false} next={safeNextPath(request.query.next)} notice={notice} />);
  });

  app.post('/admin/login', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const body = asFormBody(request.body);
    const errors: FieldErrors = {};
    const email = readText(body, 'email', { required: true, max: 254 }, errors);
    const password = typeof body['password'] === 'string' ? body['password'] : '';
    if (password === '') errors['password'] = 'validation.password';
    const next = safeNextPath(body['next']);
    const ctx = pageContext(request, reply);
    if (Object.keys(errors).length > 0) {
      return sendPage(reply, <LoginPage ctx={ctx} values={{ email }} errors={errors} failed={false} next={next} />, 400);
    }
    // The keys are HMACs so even this process's memory holds no email address, nor which address used which account.
    const accountKey = hmacBase64Url(throttleKey, normaliseAdminEmail(email));
    const client = clientKey(request.ip);
    const pairKey = hmacBase64Url(throttleKey, `${normaliseAdminEmail(email)}\n${client}`);
    const known = knownClients.has(pairKey);
    if (!perClient.take(client) || !perAccountClient.take(pairKey) || (!known && !perAccount.take(accountKey))) {
      throw new AppError('rate_limited', 'Too many login attempts');
    }
    const user = await authenticate(db, { email, password });
    if (!user) {
      return sendPage(reply, <LoginPage ctx={ctx} values={{ email }} errors={{}} failed={true} next={next} />, 401);
    }
    // Successful logins cost nothing: an office of organisers behind one address is not locked out by its own work.
    perClient.refund(client);
    perAccountClient.reset(pairKey);
    if (!known) perAccount.refund(accountKey);
    knownClients.add(pairKey);
    if ((await countFactors(db, user.id)) > 0) {
      // The password was right; the session opens nothing until the second factor is given too.
      await destroySession(db, readSessionToken(request));
      const token = await createSession(db, user.id, { stage: 'second-factor' });
      setSessionCookie(reply, token, secureCookies, 'second-factor');
      return reply.redirect(`/admin/login/verify?${new URLSearchParams({ next })}`, 303);
    }
    await openFullSession(request, reply, user.id);
    return reply.redirect(next, 303);
  });

  registerTwoFactorRoutes(app);

  app.post('/admin/logout', async (request, reply) => {
    await destroySession(db, readSessionToken(request));
    clearSessionCookie(reply, secureCookies);
    return reply.redirect('/admin/login', 303);
  });

  app.get<{ Querystring: { before?: unknown } }>('/admin/audit', { preHandler: [requireUser, requirePermission('audit:view')] }, async (request, reply) => {
    const before = parseId(request.query.before);
    const entries = await listAuditEntries(db, { limit: AUDIT_PAGE_SIZE, ...(before !== undefined ? { beforeId: before } : {}) });
    const nextBeforeId = entries.length === AUDIT_PAGE_SIZE ? entries.at(-1)!.id : undefined;
    return sendPage(reply, <AuditPage ctx={pageContext(request, reply)} entries={entries} nextBeforeId={nextBeforeId} />);
  });
}

/** A bounded set (the oldest key goes first when full): the client and account pairs that have logged in. */
class KnownKeys {
  private readonly keys = new Set<string>();

  constructor(private readonly maxKeys: number) {}

  has(key: string): boolean {
    return this.keys.has(key);
  }

  add(key: string): void {
    this.keys.delete(key);
    if (this.keys.size >= this.maxKeys) this.keys.delete(this.keys.values().next().value!);
    this.keys.add(key);
  }
}
