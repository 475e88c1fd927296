/**
 * The reviewers' inbox: what arrived, by day, kind, campaign and partner — never more about the sender — with each
 * message's ciphertext to download and decrypt on the reviewer's own machine, a reply box, and early deletion. The
 * server sends a reply's text on to encryption and keeps none of it: one copy sealed for the codename holder, one
 * encrypted to the submission's readers (for a request for help, its partner alone). A partner organisation's own
 * account sees the same pages for the requests for help sent to it, and no other submission exists for it.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sealForCodename } from '../../crypto/codename.ts';
import { encryptBytes } from '../../crypto/openpgp-messages.ts';
import { AppError } from '../../errors.ts';
import type { PageContext } from '../../web/context.ts';
import { pageContext } from '../../web/context.ts';
import { TextArea } from '../../web/fields.tsx';
import { CONTENT_SECURITY_POLICY_WITH_WASM } from '../../web/security-headers.ts';
import { flashFrom } from '../../web/flash.ts';
import { asFormBody, parseId, readText } from '../../web/form.ts';
import { formatDate, type Locale } from '../../web/i18n.ts';
import { CsrfField, sendPage } from '../../web/layout.tsx';
import { recordAudit } from '../audit/index.ts';
import { AdminLayout, can, requirePermission, requireUser } from '../admin/index.ts';
import { findCampaignById, textFor } from '../campaigns/index.ts';
import { EnvelopeWriter } from '../../crypto/envelope.ts';
import { findLinkedPartnerId } from './partner-accounts.ts';
import { readerDirectory, readersOf, type ReaderDirectory } from './readers.ts';
import { todayUtc } from './speak-routes.tsx';
import {
  deleteOnFor,
  deleteSubmission,
  findOpenSubmission,
  findStoredMessage,
  listMessages,
  listOpenSubmissions,
  readChunks,
  storeReply,
  type InboxScope,
  type MessageSummary,
  type OpenSubmission,
  type SubmissionSummary,
} from './store.ts';

const FLASH_KEYS = { replied: 'inbox.done.replied', deleted: 'inbox.done.deleted' } as const;
const MAX_REPLY_CHARS = 20_000;

function partnerName(directory: ReaderDirectory, partnerId: number | null): string | undefined {
  return directory.partners.find((p) => p.id === partnerId)?.name;
}

/** Whose inbox a partner organisation's account is looking at, or that it is linked to none yet. */
function PartnerScopeNote({ ctx, scope, directory }: { ctx: PageContext; scope: InboxScope; directory: ReaderDirectory }) {
  if (scope.all) return null;
  const name = partnerName(directory, scope.partnerId);
  return <p class="notice">{name === undefined ? ctx.t('inbox.partnerUnlinked') : ctx.t('inbox.partnerScope', { name })}</p>;
}

function InboxPage({
  ctx,
  scope,
  submissions,
  directory,
  campaignTitles,
  flash,
}: {
  ctx: PageContext;
  scope: InboxScope;
  submissions: readonly SubmissionSummary[];
  directory: ReaderDirectory;
  campaignTitles: ReadonlyMap<number, string>;
  flash?: string | undefined;
}) {
  const { t, locale } = ctx;
  const unlinked = !scope.all && scope.partnerId === null;
  return (
    <AdminLayout ctx={ctx} title={t('inbox.title')} flash={flash}>
      <h1>{t('inbox.title')}</h1>
      <PartnerScopeNote ctx={ctx} scope={scope} directory={directory} />
      <p>{t('inbox.intro')}</p>
      {submissions.length === 0 ? (
        unlinked ? null : (
          <p>{t('inbox.empty')}</p>
        )
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('inbox.received')}</th>
              <th scope="col">{t('inbox.kind')}</th>
              <th scope="col">{t('inbox.campaign')}</th>
              <th scope="col">{t('inbox.partner')}</th>
              <th scope="col">{t('inbox.messages')}</th>
              <th scope="col">{t('inbox.deleteOn')}</th>
            </tr>
          </thead>
          <tbody>
            {submissions.map((s) => (
              <tr>
                <th scope="row">
                  <a href={`/admin/intake/submissions/${s.id}`}>
                    {t('inbox.submission', { id: s.id, date: formatDate(locale, s.receivedOn, { dateStyle: 'medium' }) })}
                  </a>
                </th>
                <td>{t(`inbox.kind_${s.kind}`)}</td>
                <td>{(s.campaignId !== null && campaignTitles.get(s.campaignId)) || '—'}</td>
                <td>{partnerName(directory, s.partnerId) ?? '—'}</td>
                <td>{s.messages}</td>
                <td>{formatDate(locale, s.deleteOn, { dateStyle: 'medium' })}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </AdminLayout>
  );
}

/**
 * Decrypting in the reviewer's browser (client/intake-inbox.ts): the key file and passphrase are read by the page's
 * script only. The controls have no name and sit in no form, so nothing could post them, with or without the script.
 */
function ReadInBrowser({ ctx }: { ctx: PageContext }) {
  const { t } = ctx;
  return (
    <section
      aria-labelledby="read-heading"
      data-inbox-read
      data-working={t('inbox.read.working')}
      data-done={t('inbox.read.done')}
      data-choose-key={t('inbox.read.chooseKey')}
      data-key-unreadable={t('inbox.read.keyUnreadable')}
      data-wrong-passphrase={t('inbox.read.wrongPassphrase')}
      data-not-for-this-key={t('inbox.read.notForThisKey')}
      data-damaged={t('inbox.read.damaged')}
      data-download-failed={t('inbox.read.downloadFailed')}
      data-failed={t('inbox.read.failed')}
      data-contact={t('inbox.read.contact')}
      data-files={t('inbox.read.files')}
      data-no-text={t('inbox.read.noText')}
    >
      <h2 id="read-heading">{t('inbox.read.heading')}</h2>
      <p>{t('inbox.read.explain')}</p>
      <p data-inbox-read-needs-script>{t('inbox.read.needsScript')}</p>
      <div data-inbox-read-controls hidden>
        <div class="field">
          <label for="read-key">{t('inbox.read.key')}</label>
          <p class="hint" id="read-key-hint">
            {t('inbox.read.keyHint')}
          </p>
          <input type="file" id="read-key" accept=".asc,.gpg,.key,text/plain" aria-describedby="read-key-hint" />
        </div>
        <div class="field">
          <label for="read-passphrase">{t('inbox.read.passphrase')}</label>
          <p class="hint" id="read-passphrase-hint">
            {t('inbox.read.passphraseHint')}
          </p>
          {/* The key's own passphrase, so a password manager can fill it from its entry; "off" is ignored by browsers. */}
          <input type="password" id="read-passphrase" autocomplete="current-password" aria-describedby="read-passphrase-hint" />
        </div>
        <button type="button" class="primary">
          {t('inbox.read.decrypt')}
        </button>
        <p class="status" role="status" data-inbox-read-status></p>
      </div>
      <div data-inbox-read-output></div>
    </section>
  );
}

function SubmissionPage({
  ctx,
  submission,
  messages,
  directory,
  deleteOn,
  campaignTitle,
  script,
  error,
  flash,
}: {
  ctx: PageContext;
  submission: OpenSubmission;
  messages: readonly MessageSummary[];
  directory: ReaderDirectory;
  deleteOn: string;
  campaignTitle: string | undefined;
  /** The page's decryption script (OpenPGP.js), which no other admin page loads. */
  script: string;
  error?: string | undefined;
  flash?: string | undefined;
}) {
  const { t, locale } = ctx;
  const readers = readersOf(directory, submission.kind, submission.partnerId) ?? [];
  const errors: Record<string, string> = error ? { reply: error } : {};
  return (
    <AdminLayout ctx={ctx} title={t('inbox.submission', { id: submission.id, date: submission.receivedOn })} flash={flash} script={script}>
      <h1>{t('inbox.submission', { id: submission.id, date: formatDate(locale, submission.receivedOn, { dateStyle: 'medium' }) })}</h1>
      <dl class="facts">
        <dt>{t('inbox.kind')}</dt>
        <dd>{t(`inbox.kind_${submission.kind}`)}</dd>
        <dt>{t('inbox.campaign')}</dt>
        <dd>{campaignTitle ?? '—'}</dd>
        {submission.kind === 'help' ? (
          <>
            <dt>{t('inbox.partner')}</dt>
            <dd>{partnerName(directory, submission.partnerId) ?? t('inbox.partnerGone')}</dd>
          </>
        ) : null}
        <dt>{t('inbox.deleteOn')}</dt>
        <dd>{formatDate(locale, deleteOn)}</dd>
      </dl>
      <p>{t('inbox.howToRead')}</p>
      <h2>{t('inbox.messagesHeading')}</h2>
      <ol class="conversation">
        {messages.map((m) => {
          const heading = t(m.author === 'reviewer' ? 'inbox.replyOn' : 'inbox.sentOn', { date: formatDate(locale, m.receivedOn, { dateStyle: 'medium' }) });
          const url = `/admin/intake/messages/${m.id}.pgp`;
          return (
            <li class={m.author === 'reviewer' ? 'reply' : 'sent'}>
              <p class="meta">
                {heading} {t(m.encryptedBy === 'browser' ? 'inbox.byBrowser' : 'inbox.byServer')}
              </p>
              <a href={url} download data-ciphertext-url={url} data-message-heading={heading}>
                {t('inbox.download', { id: m.id })}
              </a>
            </li>
          );
        })}
      </ol>
      <ReadInBrowser ctx={ctx} />
      {readers.length > 0 ? (
        <>
          <h2 id="reply-heading">{t('inbox.replyHeading')}</h2>
          <p>{t('inbox.replyHint')}</p>
          <form method="post" action={`/admin/intake/submissions/${submission.id}/reply`} class="stacked">
            <CsrfField ctx={ctx} />
            <TextArea ctx={ctx} name="reply" label={t('inbox.reply')} required errors={errors} values={{}} rows={8} maxLength={MAX_REPLY_CHARS} />
            <button type="submit" class="primary">
              {t('inbox.sendReply')}
            </button>
          </form>
        </>
      ) : null}
      <h2>{t('inbox.deleteHeading')}</h2>
      <form method="post" action={`/admin/intake/submissions/${submission.id}/delete`} class="inline">
        <CsrfField ctx={ctx} />
        <button type="submit">{t('inbox.deleteNow')}</button>
      </form>
    </AdminLayout>
  );
}

export function registerInboxRoutes(app: FastifyInstance): void {
  const { database, config, assets } = app.deps;
  const db = database.db;
  const campaignTitleOf = async (campaignId: number | null, locale: Locale): Promise<string | undefined> => {
    const campaign = campaignId === null ? undefined : await findCampaignById(db, campaignId);
    return campaign ? textFor(campaign, locale).text.title : undefined;
  };
  const review = { preHandler: [requireUser, requirePermission('intake:review', 'intake:partner')] };
  type IdParams = { Params: { id: string } };

  /** Reviewers see the whole inbox; a partner organisation's account only the requests for help sent to it. */
  const scopeOf = async (request: FastifyRequest): Promise<InboxScope> => {
    const user = request.user!;
    if (can(user.role, 'intake:review')) return { all: true };
    return { all: false, partnerId: (await findLinkedPartnerId(db, user.id)) ?? null };
  };

  const sendSubmissionPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    submission: OpenSubmission,
    notes: { flash?: string | undefined; error?: string | undefined },
    status = 200,
  ) => {
    const ctx = pageContext(request, reply);
    const page = (
      <SubmissionPage
        ctx={ctx}
        submission={submission}
        messages={await listMessages(db, submission.id)}
        campaignTitle={await campaignTitleOf(submission.campaignId, ctx.locale)}
        script={assets.inboxJs.url}
        directory={await readerDirectory(db)}
        deleteOn={deleteOnFor(config.intake, submission.receivedOn, submission.lastFollowUpOn)}
        {...notes}
      />
    );
    return sendPage(reply, page, status);
  };

  /** A submission outside the reader's scope is answered exactly as one that does not exist. */
  const openSubmission = async (request: FastifyRequest<IdParams>) => {
    const submission = await findOpenSubmission(db, parseId(request.params.id) ?? 0, await scopeOf(request));
    if (!submission) throw new AppError('not_found', 'No such submission.');
    return submission;
  };

  app.get('/admin/intake', review, async (request, reply) => {
    const ctx = pageContext(request, reply);
    const scope = await scopeOf(request);
    const submissions = await listOpenSubmissions(db, scope);
    const campaignTitles = new Map<number, string>();
    for (const id of new Set(submissions.map((s) => s.campaignId))) {
      const title = await campaignTitleOf(id, ctx.locale);
      if (id !== null && title) campaignTitles.set(id, title);
    }
    const page = (
      <InboxPage
        ctx={ctx}
        scope={scope}
        submissions={submissions}
        directory={await readerDirectory(db)}
        campaignTitles={campaignTitles}
        flash={flashFrom(request, reply, FLASH_KEYS)}
      />
    );
    return sendPage(reply, page);
  });

  // Runs after the site's own headers: a reader's key protected with Argon2 is unlocked by WebAssembly in the page.
  const allowWasm = async (_request: FastifyRequest, reply: FastifyReply) => void reply.header('content-security-policy', CONTENT_SECURITY_POLICY_WITH_WASM);
  app.get<IdParams>('/admin/intake/submissions/:id', { ...review, onSend: allowWasm }, async (request, reply) => {
    const submission = await openSubmission(request);
    return sendSubmissionPage(request, reply, submission, { flash: flashFrom(request, reply, FLASH_KEYS) });
  });

  app.get<IdParams>('/admin/intake/messages/:id', review, async (request, reply) => {
    const match = /^(\d{1,15})\.pgp$/.exec(request.params.id);
    const message = match ? await findStoredMessage(db, Number(match[1]), await scopeOf(request)) : undefined;
    if (!message) throw new AppError('not_found', 'No such message.');
    return reply
      .header('content-disposition', `attachment; filename="outcry-${message.submissionId}-${message.id}.pgp"`)
      .header('x-content-type-options', 'nosniff')
      .type('application/pgp-encrypted')
      .send(Readable.from(readChunks(db, message.id)));
  });

  app.post<IdParams>('/admin/intake/submissions/:id/reply', { ...review, bodyLimit: 256 * 1024 }, async (request, reply) => {
    const submission = await openSubmission(request);
    const directory = await readerDirectory(db);
    const readers = readersOf(directory, submission.kind, submission.partnerId);
    if (!readers) throw new AppError('gone', 'No one can read a reply to this submission any more.');
    const errors: Record<string, string> = {};
    const text = readText(asFormBody(request.body), 'reply', { required: true, max: MAX_REPLY_CHARS, multiline: true }, errors);
    if (errors['reply']) return sendSubmissionPage(request, reply, submission, { error: errors['reply'] }, 400);
    const now = new Date();
    const writer = new EnvelopeWriter(randomBytes(16));
    const envelope = Buffer.concat([writer.start('reply'), writer.text('message', text), writer.finish()]);
    const recipientsCopy = await encryptBytes(
      readers.map((r) => r.key),
      envelope,
    );
    const senderCopy = await sealForCodename(submission.replyPublicKey, Buffer.from(text, 'utf8'));
    await db.transaction().execute(async (trx) => {
      await storeReply(trx, { submissionId: submission.id, today: todayUtc(now), now, recipientsCopy, senderCopy });
      await recordAudit(trx, { userId: request.user!.id, action: 'intake.reply', entityType: 'intake_submission', entityId: submission.id, changes: {} });
    });
    return reply.redirect(`/admin/intake/submissions/${submission.id}?done=replied`, 303);
  });

  app.post<IdParams>('/admin/intake/submissions/:id/delete', review, async (request, reply) => {
    const submission = await openSubmission(request);
    await db.transaction().execute(async (trx) => {
      await deleteSubmission(trx, submission.id);
      await recordAudit(trx, { userId: request.user!.id, action: 'intake.delete', entityType: 'intake_submission', entityId: submission.id, changes: {} });
    });
    return reply.redirect('/admin/intake?done=deleted', 303);
  });
}
