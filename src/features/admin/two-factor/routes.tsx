/**
 * The second step of logging in (/admin/login/verify, and its passkey endpoints) and the security page where an
 * organiser adds and removes second factors and recovery codes (/admin/security).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type FieldErrors } from '../../../errors.ts';
import { pageContext } from '../../../web/context.ts';
import { flashFrom } from '../../../web/flash.ts';
import { asFormBody, parseId, readText } from '../../../web/form.ts';
import { sendPage } from '../../../web/layout.tsx';
import { TokenBucketLimiter } from '../../../web/rate-limit.ts';
import {
  clearSessionCookie,
  countFailedAttempt,
  destroySession,
  loadHalfOpenSession,
  readSessionChallenge,
  readSessionToken,
  setSessionChallenge,
  type SessionUser,
} from '../../../web/session.ts';
import { authenticate } from '../../users/index.ts';
import { requireUser, safeNextPath } from '../auth.ts';
import { openFullSession } from '../login-session.ts';
import {
  passkeyAuthenticationOptions,
  passkeyRegistrationOptions,
  relyingPartyFor,
  answeringCredentialId,
  verifyPasskeyAuthentication,
  verifyPasskeyRegistration,
} from './passkeys.ts';
import { countUnusedRecoveryCodes, listFactors, listPasskeys, recordPasskeyUse } from './queries.ts';
import {
  beginTotpEnrolment,
  checkSecondFactorCode,
  createRecoveryCodes,
  enrolPasskey,
  enrolTotp,
  MAX_LABEL_LENGTH,
  openTotpEnrolment,
  removeFactor,
  twoFactorKeys,
} from './service.ts';
import { mustEnrolSecondFactor } from './policy.ts';
import { totpSetupUri } from './totp.ts';
import { RecoveryCodesPage, SecurityPage, TotpSetupPage, VerifyPage } from './views.tsx';

/** Wrong codes one half-open session may give before it ends and the password is asked for again. */
const MAX_ATTEMPTS_PER_SESSION = 5;

const FLASHES = {
  added: 'twoFactor.added_done',
  'added-needs-codes': 'twoFactor.addedNeedsCodes',
  removed: 'twoFactor.removed_done',
} as const;

export function registerTwoFactorRoutes(app: FastifyInstance): void {
  const { db } = app.deps.database;
  const { config } = app.deps;
  const keys = twoFactorKeys(config.secretKey);
  const rp = relyingPartyFor(config.publicUrl, 'Outcry');
  // Per account, across its half-open sessions: ten wrong codes, then one a minute. Six digits against this take years.
  const wrongCodes = new TokenBucketLimiter({ capacity: 10, refillPerSecond: 1 / 60 });
  // Asking for the password again must not become a way to guess it from a session someone left open.
  const passwordChecks = new TokenBucketLimiter({ capacity: 5, refillPerSecond: 1 / 60 });

  async function halfOpen(request: FastifyRequest) {
    return loadHalfOpenSession(db, readSessionToken(request));
  }

  app.get<{ Querystring: { next?: unknown } }>('/admin/login/verify', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const pending = await halfOpen(request);
    if (!pending) return reply.redirect('/admin/login', 303);
    const hasPasskeys = (await listPasskeys(db, pending.id)).length > 0;
    return sendPage(reply, <VerifyPage ctx={pageContext(request, reply)} next={safeNextPath(request.query.next)} hasPasskeys={hasPasskeys} />);
  });

  app.post('/admin/login/verify', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const body = asFormBody(request.body);
    const next = safeNextPath(body['next']);
    const token = readSessionToken(request);
    const pending = await halfOpen(request);
    if (!pending || !token) return reply.redirect('/admin/login', 303);
    const ctx = pageContext(request, reply);
    const hasPasskeys = (await listPasskeys(db, pending.id)).length > 0;
    const code = typeof body['code'] === 'string' ? body['code'].slice(0, 40) : '';
    if (!wrongCodes.take(String(pending.id))) {
      return sendPage(reply, <VerifyPage ctx={ctx} next={next} hasPasskeys={hasPasskeys} problem="too-many" />, 429);
    }
    if (await checkSecondFactorCode(db, keys, pending.id, code)) {
      wrongCodes.refund(String(pending.id));
      await openFullSession(request, reply, pending.id);
      return reply.redirect(next, 303);
    }
    if ((await countFailedAttempt(db, token)) >= MAX_ATTEMPTS_PER_SESSION) {
      await destroySession(db, token);
      clearSessionCookie(reply, config.secureCookies);
      return reply.redirect(`/admin/login?${new URLSearchParams({ next, again: '1' })}`, 303);
    }
    return sendPage(reply, <VerifyPage ctx={ctx} next={next} hasPasskeys={hasPasskeys} problem="wrong-code" />, 401);
  });

  app.post('/admin/login/passkey/options', async (request) => {
    const token = readSessionToken(request);
    const pending = await halfOpen(request);
    if (!pending || !token) throw new AppError('unauthenticated', 'Your login has expired. Start again with your password.');
    const options = await passkeyAuthenticationOptions(rp, await listPasskeys(db, pending.id));
    await setSessionChallenge(db, token, options.challenge);
    return options;
  });

  app.post('/admin/login/passkey', async (request, reply) => {
    const body = asFormBody(request.body);
    const token = readSessionToken(request);
    const pending = await halfOpen(request);
    if (!pending || !token) throw new AppError('unauthenticated', 'Your login has expired. Start again with your password.');
    if (!pending.challenge) throw new AppError('validation_failed', 'Ask for a passkey prompt first.');
    // A challenge answers once, whatever the outcome.
    await setSessionChallenge(db, token, null);
    const credentialId = answeringCredentialId(body['response']);
    const passkey = (await listPasskeys(db, pending.id)).find((p) => p.credentialId === credentialId);
    const counter = passkey ? await verifyPasskeyAuthentication(rp, body['response'], pending.challenge, passkey) : undefined;
    if (!passkey || counter === undefined) throw new AppError('validation_failed', 'That passkey did not verify. Try again, or use a code.');
    await recordPasskeyUse(db, passkey.id, counter, new Date().toISOString());
    await openFullSession(request, reply, pending.id);
    return { redirect: safeNextPath(body['next']) };
  });

  const signedIn = { preHandler: [requireUser] };

  app.get('/admin/security', signedIn, async (request, reply) => {
    return sendSecurityPage(request, reply, flashFrom(request, reply, FLASHES));
  });

  async function sendSecurityPage(request: FastifyRequest, reply: FastifyReply, flash?: string, passwordError = false) {
    const user = request.user!;
    const [factors, unusedCodes] = await Promise.all([listFactors(db, user.id), countUnusedRecoveryCodes(db, user.id)]);
    const mustEnrol = await mustEnrolSecondFactor(db, config, user);
    const page = (
      <SecurityPage
        ctx={pageContext(request, reply)}
        factors={factors}
        unusedCodes={unusedCodes}
        mustEnrol={mustEnrol}
        flash={flash}
        passwordError={passwordError}
      />
    );
    return sendPage(reply, page, passwordError ? 401 : 200);
  }

  app.get('/admin/security/totp', signedIn, async (request, reply) => {
    const user = request.user!;
    const { secret, sealed } = beginTotpEnrolment(keys, user.id, new Date());
    return sendTotpSetup(request, reply, { sealed, secret, values: {}, errors: {} });
  });

  function sendTotpSetup(
    request: FastifyRequest,
    reply: FastifyReply,
    form: { sealed: string; secret: string; values: Record<string, string>; errors: FieldErrors },
    status = 200,
  ) {
    const uri = totpSetupUri(form.secret, request.user!.email, `Outcry (${new URL(config.publicUrl).host})`);
    return sendPage(reply, <TotpSetupPage ctx={pageContext(request, reply)} uri={uri} {...form} />, status);
  }

  app.post('/admin/security/totp', signedIn, async (request, reply) => {
    const user = request.user!;
    const body = asFormBody(request.body);
    const errors: FieldErrors = {};
    const label = readText(body, 'label', { max: MAX_LABEL_LENGTH }, errors) || pageContext(request, reply).t('twoFactor.kind_totp');
    const sealed = typeof body['sealed'] === 'string' ? body['sealed'] : '';
    const code = typeof body['code'] === 'string' ? body['code'] : '';
    const now = new Date();
    const secret = openTotpEnrolment(keys, user.id, sealed, now);
    if (!secret || Object.keys(errors).length > 0) {
      // An expired or tampered set-up starts again with a new secret: the old QR code must not be trusted.
      const fresh = secret ? { secret, sealed } : beginTotpEnrolment(keys, user.id, now);
      if (!secret) errors['code'] = 'twoFactor.setupExpired';
      return sendTotpSetup(request, reply, { ...fresh, values: { label }, errors }, 400);
    }
    const result = await enrolTotp(db, keys, user, { sealed, code, label }, now);
    if (!result.ok) return sendTotpSetup(request, reply, { secret, sealed, values: { label }, errors: { code: 'twoFactor.wrongCode' } }, 400);
    return reply.redirect(await pageAfterEnrolment(user), 303);
  });

  /** The security page, saying the factor was added, and asking for recovery codes if the account has none left. */
  async function pageAfterEnrolment(user: SessionUser): Promise<string> {
    const done = (await countUnusedRecoveryCodes(db, user.id)) > 0 ? 'added' : 'added-needs-codes';
    return `/admin/security?done=${done}`;
  }

  app.post('/admin/security/passkey/options', signedIn, async (request) => {
    const user = request.user!;
    const options = await passkeyRegistrationOptions(rp, user, await listPasskeys(db, user.id));
    await setSessionChallenge(db, readSessionToken(request)!, options.challenge);
    return options;
  });

  app.post('/admin/security/passkey', signedIn, async (request, reply) => {
    const user = request.user!;
    const body = asFormBody(request.body);
    const errors: FieldErrors = {};
    const label = readText(body, 'label', { max: MAX_LABEL_LENGTH }, errors) || pageContext(request, reply).t('twoFactor.kind_passkey');
    if (Object.keys(errors).length > 0) throw new AppError('validation_failed', `The name must be plain text of at most ${MAX_LABEL_LENGTH} characters.`);
    const token = readSessionToken(request)!;
    const challenge = await readSessionChallenge(db, token);
    if (!challenge) throw new AppError('validation_failed', 'Ask for a passkey prompt first.');
    await setSessionChallenge(db, token, null);
    const passkey = await verifyPasskeyRegistration(rp, body['response'], challenge);
    if (!passkey) throw new AppError('validation_failed', 'The passkey could not be verified. Try again.');
    await enrolPasskey(db, user, passkey, label);
    return { redirect: await pageAfterEnrolment(user) };
  });

  app.post<{ Params: { id: string } }>('/admin/security/factors/:id/remove', signedIn, async (request, reply) => {
    const user = request.user!;
    const factorId = parseId(request.params.id);
    if (factorId === undefined) throw new AppError('not_found', 'No such sign-in method.');
    if (!(await passwordConfirmed(request))) return sendSecurityPage(request, reply, undefined, true);
    await removeFactor(db, user, factorId);
    return reply.redirect('/admin/security?done=removed', 303);
  });

  app.post('/admin/security/recovery-codes', signedIn, async (request, reply) => {
    const user = request.user!;
    if ((await listFactors(db, user.id)).length === 0) throw new AppError('validation_failed', 'Add an authenticator app or a passkey first.');
    // Replacing codes that still work needs the password; making the first ones right after enrolling does not.
    if ((await countUnusedRecoveryCodes(db, user.id)) > 0 && !(await passwordConfirmed(request))) {
      return sendSecurityPage(request, reply, undefined, true);
    }
    const codes = await createRecoveryCodes(db, keys, user);
    reply.header('cache-control', 'no-store');
    return sendPage(reply, <RecoveryCodesPage ctx={pageContext(request, reply)} codes={codes} />);
  });

  async function passwordConfirmed(request: FastifyRequest): Promise<boolean> {
    const password = asFormBody(request.body)['password'];
    if (typeof password !== 'string' || password === '') return false;
    if (!passwordChecks.take(String(request.user!.id))) throw new AppError('rate_limited', 'Too many password attempts');
    return (await authenticate(db, { email: request.user!.email, password })) !== undefined;
  }
}
