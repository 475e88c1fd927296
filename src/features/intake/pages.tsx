/**
 * The pages a person at risk sees. They carry a neutral title, a quick-exit link that needs no script, no site
 * navigation that would name the campaign in a tab, and never a cookie: the language comes from the link or the
 * form, and a person is known only by the codename they type.
 */
import type { ComponentChildren } from 'preact';
import { groupedFingerprint } from '../../crypto/openpgp-keys.ts';
import { formatDate, LOCALES, type Locale, type Translate } from '../../web/i18n.ts';
import type { Reader, ReaderDirectory } from './readers.ts';

export interface IntakeContext {
  locale: Locale;
  t: Translate;
  path: string;
  cssUrl: string;
  scriptUrl: string;
  quickExitUrl: string;
}

function IntakeLayout({ ctx, children, script = false }: { ctx: IntakeContext; children: ComponentChildren; script?: boolean }) {
  const { t } = ctx;
  return (
    <html lang={ctx.locale} dir="ltr">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="same-origin" />
        <meta name="robots" content="noindex" />
        <title>{t('speak.pageTitle')}</title>
        <link rel="stylesheet" href={ctx.cssUrl} />
        {script ? <script type="module" src={ctx.scriptUrl}></script> : null}
      </head>
      <body class="intake">
        <header class="site-header">
          <div class="bar">
            <a class="quick-exit" href={ctx.quickExitUrl} rel="noreferrer">
              {t('speak.quickExit')}
            </a>
            <nav class="lang-switch" aria-label={t('site.language')}>
              <ul>
                {LOCALES.map((locale) => (
                  <li>
                    <a href={`${ctx.path}?lang=${locale}`} hreflang={locale} lang={locale} aria-current={locale === ctx.locale ? 'true' : undefined}>
                      {t(`languages.${locale}`)}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          </div>
        </header>
        <main id="main" tabIndex={-1}>
          {children}
        </main>
      </body>
    </html>
  );
}

function ModeBanner({ ctx }: { ctx: IntakeContext }) {
  // Says the server encrypts until the page's script, once running, says otherwise: no reliance on <noscript>.
  return (
    <p id="speak-mode" class="mode-banner" data-browser-text={ctx.t('speak.modeBrowser')}>
      {ctx.t('speak.modeServer')}
    </p>
  );
}

function ReaderList({ ctx, readers }: { ctx: IntakeContext; readers: readonly Reader[] }) {
  return (
    <ul class="readers">
      {readers.map((reader) => (
        <li>
          <strong>{reader.name}</strong>
          {reader.region ? ` (${reader.region})` : ''}
          <br />
          <span class="fingerprint">
            {ctx.t('speak.fingerprint')} <code>{groupedFingerprint(reader.fingerprint)}</code>
          </span>
        </li>
      ))}
    </ul>
  );
}

/** The recipients' keys, for the page's script to encrypt to: data, never executed. */
function KeysData({ keys }: { keys: Record<string, unknown> }) {
  return <script type="application/json" id="speak-keys" dangerouslySetInnerHTML={{ __html: JSON.stringify(keys).replace(/</g, '\\u003c') }} />;
}

/** While intake's proof-of-work switch is on: the signed stamp, the answer the script fills in, and what it means. */
export interface ProofOfWork {
  stamp: string;
  bits: number;
}

function ProofFields({ proof }: { proof: ProofOfWork | undefined }) {
  if (!proof) return null;
  return (
    <>
      <input type="hidden" name="stamp" value={proof.stamp} />
      <input type="hidden" name="pow" value="" />
    </>
  );
}

function ProofNote({ ctx, proof }: { ctx: IntakeContext; proof: ProofOfWork | undefined }) {
  return proof ? <p class="notice">{ctx.t('speak.powNote')}</p> : null;
}

/**
 * The form that sends a message, on /speak and on the conversation page: its status line, the routing fields first
 * (the server reads them before anything the person wrote), `children` (the choices of /speak), then the content.
 */
function MessageForm({
  ctx,
  action,
  maxBytes,
  proof,
  hidden,
  children,
}: {
  ctx: IntakeContext;
  action: string;
  maxBytes: number;
  proof: ProofOfWork | undefined;
  hidden: Record<string, string>;
  children?: ComponentChildren;
}) {
  return (
    <>
      <StatusRegion />
      <ProofNote ctx={ctx} proof={proof} />
      <form
        id="speak-form"
        method="post"
        action={action}
        enctype="multipart/form-data"
        data-max-bytes={String(maxBytes)}
        data-pow-bits={proof ? String(proof.bits) : undefined}
        class="stacked"
      >
        <input type="hidden" name="lang" value={ctx.locale} />
        {Object.entries(hidden).map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        <ProofFields proof={proof} />
        <input type="hidden" name="mode" value="server" />
        {children}
        <ContentFields ctx={ctx} maxBytes={maxBytes} values={{}} />
        <button type="submit">{ctx.t('speak.send')}</button>
      </form>
    </>
  );
}

function StatusRegion() {
  return <div id="speak-status" role="alert" class="speak-status" />;
}

function ContentFields({ ctx, maxBytes, values }: { ctx: IntakeContext; maxBytes: number; values: { message?: string; contact?: string } }) {
  const { t } = ctx;
  const megabytes = Math.floor(maxBytes / (1024 * 1024));
  return (
    <>
      <div class="field">
        <label for="speak-message">{t('speak.message')}</label>
        <p class="hint" id="speak-message-hint">
          {t('speak.messageHint')}
        </p>
        <textarea id="speak-message" name="message" rows={12} aria-describedby="speak-message-hint">
          {values.message ?? ''}
        </textarea>
      </div>
      <div class="field">
        <label for="speak-contact">{t('speak.contact')}</label>
        <p class="hint" id="speak-contact-hint">
          {t('speak.contactHint')}
        </p>
        <input id="speak-contact" name="contact" type="text" autocomplete="off" aria-describedby="speak-contact-hint" value={values.contact ?? ''} />
      </div>
      <div class="field">
        <label for="speak-files">{t('speak.files')}</label>
        <p class="hint" id="speak-files-hint">
          {t('speak.filesHint', { megabytes })}
        </p>
        <input id="speak-files" name="files" type="file" multiple aria-describedby="speak-files-hint" />
      </div>
    </>
  );
}

export function SpeakPage({
  ctx,
  directory,
  campaign,
  maxBytes,
  proof,
  error,
}: {
  ctx: IntakeContext;
  directory: ReaderDirectory;
  campaign: string | undefined;
  maxBytes: number;
  proof?: ProofOfWork | undefined;
  error?: string | undefined;
}) {
  const { t } = ctx;
  const open = directory.reviewers.length > 0 || directory.partners.length > 0;
  const keys = {
    testimony: directory.reviewers.map((r) => r.armored),
    help: Object.fromEntries(directory.partners.map((p) => [String(p.id), [p.armored]])),
  };
  return (
    <IntakeLayout ctx={ctx} script={open}>
      <h1>{t('speak.title')}</h1>
      <p>{t('speak.intro')}</p>
      {!open ? (
        <p>{t('speak.closed')}</p>
      ) : (
        <>
          <ModeBanner ctx={ctx} />
          {error ? (
            <p class="error-summary" role="alert">
              {error}
            </p>
          ) : null}
          <MessageForm ctx={ctx} action="/speak" maxBytes={maxBytes} proof={proof} hidden={campaign ? { campaign } : {}}>
            <fieldset>
              <legend>{t('speak.kindLegend')}</legend>
              {directory.reviewers.length > 0 ? (
                <div class="choice">
                  <input type="radio" id="speak-kind-testimony" name="kind" value="testimony" required />
                  <label for="speak-kind-testimony">{t('speak.kindTestimony')}</label>
                  <div class="choice-detail">
                    <p>{t('speak.readersTestimony')}</p>
                    <ReaderList ctx={ctx} readers={directory.reviewers} />
                  </div>
                </div>
              ) : null}
              {directory.partners.length > 0 ? (
                <div class="choice">
                  <input type="radio" id="speak-kind-help" name="kind" value="help" required />
                  <label for="speak-kind-help">{t('speak.kindHelp')}</label>
                </div>
              ) : null}
            </fieldset>
            {directory.partners.length > 0 ? (
              <fieldset>
                <legend>{t('speak.partnerLegend')}</legend>
                <p class="hint">{t('speak.partnerHint')}</p>
                {directory.partners.map((partner) => (
                  <div class="choice">
                    <input type="radio" id={`speak-partner-${partner.id}`} name="partner" value={String(partner.id)} />
                    <label for={`speak-partner-${partner.id}`}>{partner.name}</label>
                    <div class="choice-detail">
                      <p>{partner.description}</p>
                      <ReaderList ctx={ctx} readers={[partner]} />
                    </div>
                  </div>
                ))}
              </fieldset>
            ) : null}
          </MessageForm>
          <KeysData keys={keys} />
          <p>
            <a href={`/speak/return?lang=${ctx.locale}`}>{t('speak.haveCodename')}</a>
          </p>
        </>
      )}
    </IntakeLayout>
  );
}

export function CodenamePage({ ctx, codename, practice }: { ctx: IntakeContext; codename: string; practice?: 'right' | 'wrong' | undefined }) {
  const { t } = ctx;
  return (
    <IntakeLayout ctx={ctx} script>
      <h1>{t('speak.sentTitle')}</h1>
      {practice === undefined ? <p>{t('speak.sentIntro')}</p> : null}
      <h2 id="codename-heading">{t('speak.codenameHeading')}</h2>
      <p>{t('speak.codenameIntro')}</p>
      <p class="codename" id="codename">
        {codename}
      </p>
      <p>{t('speak.codenameWarning')}</p>
      <h2>{t('speak.practiceHeading')}</h2>
      {practice === 'right' ? (
        <p class="notice" role="status">
          {t('speak.practiceRight')}
        </p>
      ) : practice === 'wrong' ? (
        <p class="error-summary" role="alert">
          {t('speak.practiceWrong')}
        </p>
      ) : null}
      <form method="post" action="/speak/practice" class="stacked" id="practice-form">
        <input type="hidden" name="lang" value={ctx.locale} />
        <input type="hidden" name="codename" value={codename} />
        <div class="field">
          <label for="practice-attempt">{t('speak.practiceLabel')}</label>
          <input id="practice-attempt" name="attempt" type="text" autocomplete="off" autocapitalize="none" spellcheck={false} />
        </div>
        <button type="submit">{t('speak.practiceCheck')}</button>
      </form>
      <p>{t('speak.returnHint')}</p>
    </IntakeLayout>
  );
}

export function ReturnPage({ ctx, error }: { ctx: IntakeContext; error?: string | undefined }) {
  const { t } = ctx;
  return (
    <IntakeLayout ctx={ctx}>
      <h1>{t('speak.returnTitle')}</h1>
      <p>{t('speak.returnIntro')}</p>
      {error ? (
        <p class="error-summary" role="alert">
          {error}
        </p>
      ) : null}
      <form method="post" action="/speak/return" class="stacked">
        <input type="hidden" name="lang" value={ctx.locale} />
        <div class="field">
          <label for="return-codename">{t('speak.codenameLabel')}</label>
          <input id="return-codename" name="codename" type="password" autocomplete="off" autocapitalize="none" spellcheck={false} required />
        </div>
        <button type="submit">{t('speak.open')}</button>
      </form>
    </IntakeLayout>
  );
}

export interface ConversationEntry {
  receivedOn: string;
  author: 'sender' | 'reviewer';
  /** A reviewer's reply, opened with the codename; undefined for what the person sent (only its readers can open it). */
  text?: string;
}

export function ConversationPage({
  ctx,
  codename,
  entries,
  readers,
  maxBytes,
  deleteOn,
  canFollowUp,
  proof,
}: {
  ctx: IntakeContext;
  codename: string;
  entries: readonly ConversationEntry[];
  readers: readonly Reader[];
  maxBytes: number;
  deleteOn: string;
  canFollowUp: boolean;
  proof?: ProofOfWork | undefined;
}) {
  const { t, locale } = ctx;
  return (
    <IntakeLayout ctx={ctx} script={canFollowUp}>
      <h1>{t('speak.conversationTitle')}</h1>
      <p>{t('speak.conversationIntro', { date: formatDate(locale, deleteOn) })}</p>
      <ol class="conversation">
        {entries.map((entry) => (
          <li class={entry.author === 'reviewer' ? 'reply' : 'sent'}>
            <p class="meta">{t(entry.author === 'reviewer' ? 'speak.replyOn' : 'speak.sentOn', { date: formatDate(locale, entry.receivedOn) })}</p>
            {entry.text === undefined ? <p>{t('speak.sentHidden')}</p> : <div class="reply-text">{entry.text}</div>}
          </li>
        ))}
      </ol>
      {canFollowUp ? (
        <>
          <h2>{t('speak.followUpHeading')}</h2>
          <ModeBanner ctx={ctx} />
          <p>{t('speak.followUpReaders')}</p>
          <ReaderList ctx={ctx} readers={readers} />
          <MessageForm ctx={ctx} action="/speak/follow-up" maxBytes={maxBytes} proof={proof} hidden={{ codename }} />
          <KeysData keys={{ 'follow-up': readers.map((r) => r.armored) }} />
        </>
      ) : (
        <p>{t('speak.followUpClosed')}</p>
      )}
    </IntakeLayout>
  );
}

export function FollowUpSentPage({ ctx }: { ctx: IntakeContext }) {
  const { t } = ctx;
  return (
    <IntakeLayout ctx={ctx}>
      <h1>{t('speak.followUpSentTitle')}</h1>
      <p>{t('speak.followUpSent')}</p>
      <p>
        <a href={`/speak/return?lang=${ctx.locale}`}>{t('speak.haveCodename')}</a>
      </p>
    </IntakeLayout>
  );
}

export function IntakeErrorPage({ ctx, message }: { ctx: IntakeContext; message: string }) {
  const { t } = ctx;
  return (
    <IntakeLayout ctx={ctx}>
      <h1>{t('speak.notSentTitle')}</h1>
      <p role="alert">{message}</p>
      <p>
        <a href={`/speak?lang=${ctx.locale}`}>{t('speak.startAgain')}</a>
      </p>
    </IntakeLayout>
  );
}
