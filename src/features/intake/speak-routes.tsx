/**
 * `/speak`: testimony and requests for help, with JavaScript on or off; the codename; `/speak/return` to read
 * replies and follow up. No route here sets or needs a cookie, logs anything the person sent, or answers with a page
 * a cache may keep.
 */
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { deriveCodenameKeys, generateCodename, normaliseCodename, openWithCodename, type CodenameKeys } from '../../crypto/codename.ts';
import { deriveKey } from '../../crypto/keys.ts';
import type { IntakeKind } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { toAppError } from '../../web/error-handler.tsx';
import { formStampAgeMs, issueFormStamp, SpentStamps, stampIssuedAt } from '../../web/form-stamp.ts';
import { isProofOfWorkValid, POW_BITS } from '../../web/proof-of-work.ts';
import { asFormBody, parseId } from '../../web/form.ts';
import { isLocale, localeFromAcceptLanguage, DEFAULT_LOCALE, translator, type Locale } from '../../web/i18n.ts';
import { renderPage } from '../../web/layout.tsx';
import { exemptFromTimeouts } from '../../web/timeouts.ts';
import { findCampaignBySlug } from '../campaigns/index.ts';
import { limitConcurrency } from '../users/index.ts';
import { maxEnvelopeBytes, type EnvelopeKind } from '../../crypto/envelope.ts';
import {
  CodenamePage,
  ConversationPage,
  FollowUpSentPage,
  IntakeErrorPage,
  ReturnPage,
  SpeakPage,
  type ConversationEntry,
  type IntakeContext,
  type ProofOfWork,
} from './pages.tsx';
import { readerDirectory, readersOf, type Reader } from './readers.ts';
import { badForm, MAX_TEXT_CHARS, PartsReader, receiveMessage, type EncryptedBy, type RoutingFields } from './receive.ts';
import {
  abandonMessage,
  beginFollowUp,
  beginSubmission,
  completeFollowUp,
  completeSubmission,
  deleteOnFor,
  findSubmissionByLookup,
  listSenderCopies,
  submissionsReceivedOn,
  type OpenSubmission,
} from './store.ts';

/** Only what the page and its own script need: no other origin, no connection, no frame, no plugin. */
const INTAKE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

const KINDS: readonly IntakeKind[] = ['testimony', 'help'];
/** With the proof-of-work switch on, a form sent without a solved puzzle must have been open this long. */
export const WAIT_WITHOUT_PROOF_MS = 60_000;
/** People take their time over testimony: a page's stamp stays good for a day. */
const MAX_PAGE_AGE_MS = 24 * 60 * 60 * 1000;
/**
 * Uploads read, encrypted and stored at once; the others wait their turn with their connection paused. Each one's
 * pieces take turns with every other request, so more at once would only make every turn of the event loop longer.
 */
const RECEIVING_AT_ONCE = 2;
/** Codenames derived at once, and waiting: each argon2 takes 19 MiB and about 20 ms. */
const MAX_WAITING_DERIVATIONS = 16;

export function todayUtc(now: Date): string {
  return now.toISOString().slice(0, 10);
}

export async function registerSpeakRoutes(app: FastifyInstance): Promise<void> {
  const { database, config, assets } = app.deps;
  const db = database.db;
  const settings = config.intake;
  const pepper = deriveKey(config.secretKey, 'intake-codename-pepper');
  const derive = codenameDeriver(pepper);
  const receivingSlot = limitConcurrency(RECEIVING_AT_ONCE);
  const stampKey = app.deps.keys.formStamp;
  const spentStamps = new SpentStamps();

  /** The puzzle for a page, while the switch is on. */
  const proofForPage = async (): Promise<ProofOfWork | undefined> =>
    (await app.switches.get()).intakeProofOfWork ? { stamp: issueFormStamp(stampKey), bits: POW_BITS } : undefined;

  /** Refuses, before anything the person wrote is read, a form without its puzzle solved or its minute waited. */
  const checkProof = async (fields: RoutingFields, now: number): Promise<void> => {
    if (!(await app.switches.get()).intakeProofOfWork) return;
    const stamp = fields['stamp'];
    const age = formStampAgeMs(stampKey, stamp, now);
    if (stamp === undefined || age === undefined || age > MAX_PAGE_AGE_MS) {
      throw new AppError('bad_request', 'The page is too old or not from this site.', { messageKey: 'speak.errors.stamp' });
    }
    if (!isProofOfWorkValid(stamp, fields['pow']) && age < WAIT_WITHOUT_PROOF_MS) {
      throw new AppError('rate_limited', 'The form was sent too soon.', { messageKey: 'speak.errors.tooSoon' });
    }
    if (!spentStamps.use(stamp, stampIssuedAt(stamp), now)) {
      throw new AppError('bad_request', 'This page was already used to send a message.', { messageKey: 'speak.errors.stampUsed' });
    }
  };

  const context = (request: FastifyRequest, chosen?: string): IntakeContext => {
    const locale = localeOf(request, chosen);
    return {
      locale,
      t: translator(locale),
      path: request.url.split('?')[0]!,
      cssUrl: assets.css.url,
      scriptUrl: assets.speakJs.url,
      quickExitUrl: settings.quickExitUrl,
    };
  };
  const page = (reply: FastifyReply, body: Parameters<typeof renderPage>[0], status = 200) =>
    reply.code(status).type('text/html; charset=utf-8').send(renderPage(body));
  const fail = (request: FastifyRequest, reply: FastifyReply, error: unknown, locale?: string) => {
    const appError = toAppError(error);
    if (appError.code === 'internal') throw error;
    const ctx = context(request, locale);
    return page(reply, <IntakeErrorPage ctx={ctx} message={ctx.t(appError.messageKey)} />, appError.status);
  };
  const routeOptions = { config: { csrf: false }, onSend: intakeHeaders };

  app.get('/speak', { onSend: intakeHeaders }, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const campaign = typeof query['campaign'] === 'string' && /^[a-z0-9-]{1,80}$/.test(query['campaign']) ? query['campaign'] : undefined;
    const directory = await readerDirectory(db);
    return page(
      reply,
      <SpeakPage ctx={context(request)} directory={directory} campaign={campaign} maxBytes={settings.maxUploadBytes} proof={await proofForPage()} />,
    );
  });

  const uploads: FastifyPluginAsync = async (scope) => {
    // A person on a slow link (Tor) may take many minutes over an upload, and waits, paused, for a receiving slot.
    scope.addHook('onRequest', async (request, reply) => exemptFromTimeouts(request, reply));
    await scope.register(multipart, {
      // A browser's ciphertext is the largest part: the person's files, base64, padded and encrypted.
      limits: { fileSize: maxEnvelopeBytes(settings.maxUploadBytes), files: 21, fields: 16, parts: 40, fieldSize: MAX_TEXT_CHARS * 4, headerPairs: 20 },
    });

    scope.post('/speak', { ...routeOptions, bodyLimit: maxEnvelopeBytes(settings.maxUploadBytes) * 2 }, async (request, reply) => {
      const reader = new PartsReader(request.parts());
      let locale: string | undefined;
      try {
        const fields = await reader.routing(new Set(['lang', 'campaign', 'kind', 'partner', 'mode', 'stamp', 'pow']));
        locale = fields['lang'];
        await checkProof(fields, Date.now());
        const kind = KINDS.find((k) => k === fields['kind']);
        if (!kind) throw new AppError('validation_failed', 'Choose what you want to do.', { messageKey: 'speak.errors.kind' });
        const partnerId = kind === 'help' ? (parseId(fields['partner']) ?? null) : null;
        const readers = readersOf(await readerDirectory(db), kind, partnerId);
        if (!readers) throw new AppError('validation_failed', 'Choose who should receive your request.', { messageKey: 'speak.errors.partner' });
        const encryptedBy = modeOf(fields['mode']);
        const now = new Date();
        const today = todayUtc(now);
        if ((await submissionsReceivedOn(db, today)) >= settings.dailyCap) {
          throw new AppError('unavailable', 'No more messages can be taken today.', { messageKey: 'speak.errors.full' });
        }
        const campaign = fields['campaign'] ? await findCampaignBySlug(db, fields['campaign']) : undefined;
        const ids = await beginSubmission(db, {
          kind,
          campaignId: campaign?.id ?? null,
          partnerId,
          today,
          deleteOn: deleteOnFor(settings, today, null),
          encryptedBy,
          now,
        });
        let codename: string;
        try {
          const size = await receive(reader, ids.messageId, encryptedBy, kind, readers);
          codename = generateCodename();
          const keys = await derive(codename);
          await completeSubmission(db, { ...ids, size, codenameLookup: keys.lookup, replyPublicKey: keys.replyPublicKey, readerIds: readers.map((r) => r.id) });
        } catch (error) {
          await abandonMessage(db, { ...ids, firstMessage: true });
          throw error;
        }
        return page(reply, <CodenamePage ctx={context(request, locale)} codename={codename} />);
      } catch (error) {
        await drainQuietly(reader);
        return fail(request, reply, error, locale);
      }
    });

    scope.post('/speak/follow-up', { ...routeOptions, bodyLimit: maxEnvelopeBytes(settings.maxUploadBytes) * 2 }, async (request, reply) => {
      const reader = new PartsReader(request.parts());
      let locale: string | undefined;
      try {
        const fields = await reader.routing(new Set(['lang', 'codename', 'mode', 'stamp', 'pow']));
        locale = fields['lang'];
        await checkProof(fields, Date.now());
        const submission = await submissionFor(fields['codename']);
        const readers = readersOf(await readerDirectory(db), submission.kind, submission.partnerId);
        if (!readers) throw new AppError('gone', 'No one can receive a follow-up to this message any more.', { messageKey: 'speak.errors.noReaders' });
        const now = new Date();
        const today = todayUtc(now);
        const sentToday = submission.lastFollowUpOn === today ? submission.followUpsToday : 0;
        if (sentToday >= settings.followUpsPerDay) {
          throw new AppError('rate_limited', 'No more follow-ups can be sent today.', { messageKey: 'speak.errors.followUpsToday' });
        }
        const encryptedBy = modeOf(fields['mode']);
        const messageId = await beginFollowUp(db, { submissionId: submission.id, encryptedBy, today, now });
        try {
          const size = await receive(reader, messageId, encryptedBy, 'follow-up', readers);
          await completeFollowUp(db, {
            submissionId: submission.id,
            messageId,
            size,
            today,
            deleteOn: deleteOnFor(settings, submission.receivedOn, today),
            followUpsToday: sentToday + 1,
            readerIds: readers.map((r) => r.id),
          });
        } catch (error) {
          await abandonMessage(db, { submissionId: submission.id, messageId, firstMessage: false });
          throw error;
        }
        return page(reply, <FollowUpSentPage ctx={context(request, locale)} />);
      } catch (error) {
        await drainQuietly(reader);
        return fail(request, reply, error, locale);
      }
    });
  };
  await app.register(uploads);

  app.post('/speak/practice', routeOptions, async (request, reply) => {
    const body = asFormBody(request.body);
    const lang = typeof body['lang'] === 'string' ? body['lang'] : undefined;
    const codename = normaliseCodename(String(body['codename'] ?? ''));
    if (!codename) return fail(request, reply, badForm(), lang);
    const attempt = normaliseCodename(String(body['attempt'] ?? ''));
    return page(reply, <CodenamePage ctx={context(request, lang)} codename={codename} practice={attempt === codename ? 'right' : 'wrong'} />);
  });

  app.get('/speak/return', { onSend: intakeHeaders }, async (request, reply) => page(reply, <ReturnPage ctx={context(request)} />));

  app.post('/speak/return', routeOptions, async (request, reply) => {
    const body = asFormBody(request.body);
    const lang = typeof body['lang'] === 'string' ? body['lang'] : undefined;
    const ctx = context(request, lang);
    const codename = normaliseCodename(String(body['codename'] ?? ''));
    const keys = codename ? await derive(codename) : undefined;
    const submission = keys ? await findSubmissionByLookup(db, keys.lookup) : undefined;
    if (!codename || !keys || !submission) return page(reply, <ReturnPage ctx={ctx} error={ctx.t('speak.errors.codename')} />, 400);
    const readers = readersOf(await readerDirectory(db), submission.kind, submission.partnerId);
    const entries = await conversation(submission, keys);
    const deleteOn = deleteOnFor(settings, submission.receivedOn, submission.lastFollowUpOn);
    return page(
      reply,
      <ConversationPage
        ctx={ctx}
        codename={codename}
        entries={entries}
        readers={readers ?? []}
        maxBytes={settings.maxUploadBytes}
        deleteOn={deleteOn}
        canFollowUp={readers !== undefined}
        proof={await proofForPage()}
      />,
    );
  });

  async function receive(reader: PartsReader, messageId: number, encryptedBy: EncryptedBy, kind: EnvelopeKind, readers: readonly Reader[]): Promise<number> {
    return receivingSlot(() =>
      receiveMessage(reader, {
        database,
        messageId,
        encryptedBy,
        kind,
        keys: readers.map((r) => r.key),
        keyIds: readers.map((r) => r.keyId),
        maxBytes: settings.maxUploadBytes,
      }),
    );
  }

  async function submissionFor(typed: string | undefined): Promise<OpenSubmission> {
    const codename = normaliseCodename(typed ?? '');
    const submission = codename ? await findSubmissionByLookup(db, (await derive(codename)).lookup) : undefined;
    if (!submission) throw new AppError('not_found', 'That codename was not recognised.', { messageKey: 'speak.errors.codename' });
    return submission;
  }

  async function conversation(submission: OpenSubmission, keys: CodenameKeys): Promise<ConversationEntry[]> {
    const messages = await listSenderCopies(db, submission.id);
    return Promise.all(
      messages.map(async (message) => ({
        receivedOn: message.receivedOn,
        author: message.author,
        ...(message.author === 'reviewer' && message.senderCopy
          ? { text: (await openWithCodename(keys.replyPrivateKey, message.senderCopy)).toString('utf8') }
          : {}),
      })),
    );
  }
}

function modeOf(value: string | undefined): EncryptedBy {
  if (value === undefined || value === 'server') return 'server';
  if (value === 'browser') return 'browser';
  throw badForm();
}

function localeOf(request: FastifyRequest, chosen: string | undefined): Locale {
  const query = (request.query as Record<string, unknown> | undefined)?.['lang'];
  if (isLocale(chosen)) return chosen;
  if (isLocale(query)) return query;
  return localeFromAcceptLanguage(request.headers['accept-language']) ?? DEFAULT_LOCALE;
}

/** Runs after the site's own headers: intake's stricter policy replaces them, and nothing may be kept or set. */
async function intakeHeaders(_request: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply.header('content-security-policy', INTAKE_CSP);
  reply.header('cache-control', 'no-store');
  reply.removeHeader('set-cookie');
}

async function drainQuietly(reader: PartsReader): Promise<void> {
  try {
    await reader.drain();
  } catch {
    // A malformed or cut-off body: nothing more to read, and the answer below says the message was not sent.
  }
}

function codenameDeriver(pepper: Buffer): (codename: string) => Promise<CodenameKeys> {
  const slot = limitConcurrency(1);
  let waiting = 0;
  return async (codename) => {
    if (waiting >= MAX_WAITING_DERIVATIONS) throw new AppError('rate_limited', 'Too many people are sending at once.', { messageKey: 'speak.errors.busy' });
    waiting += 1;
    try {
      return await slot(() => deriveCodenameKeys(codename, pepper));
    } finally {
      waiting -= 1;
    }
  };
}
