/**
 * Kept copies of a source on the pages: the public line under a source ("Archived copy, captured on …, SHA-256 …,
 * timestamped by … at …", with the file and each token to download) and the organisers' panel on a source (capture the
 * page, upload a copy, every capture with its state). A timestamp is called verified only when its token verified
 * against the operator's trust anchors; otherwise the page says why it is not trusted, or that there is none.
 */
import type { PageContext } from '../../web/context.ts';
import { formatDate, formatNumber } from '../../web/i18n.ts';
import { CsrfField } from '../../web/layout.tsx';
import type { CaptureRecord, CopyView, TimestampRecord } from './captures-store.ts';
import { COPY_TYPES } from './copy-types.ts';

export type { CopyView } from './captures-store.ts';

const DATE_TIME: Intl.DateTimeFormatOptions = { dateStyle: 'long', timeStyle: 'long' };

export function copyFileName(capture: Pick<CaptureRecord, 'id' | 'fileType'>): string {
  return `capture-${capture.id}.${COPY_TYPES[capture.fileType ?? 'warc'].extension}`;
}

export function timestampFileName(timestamp: Pick<TimestampRecord, 'id'>): string {
  return `timestamp-${timestamp.id}.tsr`;
}

export function copyPath(slug: string, capture: Pick<CaptureRecord, 'id' | 'fileType'>): string {
  return `/c/${slug}/evidence/copies/${capture.id}/${copyFileName(capture)}`;
}

export function timestampPath(slug: string, timestamp: Pick<TimestampRecord, 'id'>): string {
  return `/c/${slug}/evidence/timestamps/${timestamp.id}/${timestampFileName(timestamp)}`;
}

/** The organisers' downloads: any source's copies, public or not. */
export function adminCopyPath(capture: Pick<CaptureRecord, 'id' | 'fileType'>): string {
  return `/admin/evidence/copies/${capture.id}/${copyFileName(capture)}`;
}

export function adminTimestampPath(timestamp: Pick<TimestampRecord, 'id'>): string {
  return `/admin/evidence/timestamps/${timestamp.id}/${timestampFileName(timestamp)}`;
}

type TokenHref = (timestamp: TimestampRecord) => string;

function formatBytes(ctx: PageContext, bytes: number): string {
  if (bytes < 1024) return ctx.t('evidence.captures.bytes', { size: formatNumber(ctx.locale, bytes) });
  if (bytes < 1024 * 1024) return ctx.t('evidence.captures.kib', { size: formatNumber(ctx.locale, Math.round(bytes / 1024)) });
  return ctx.t('evidence.captures.mib', { size: formatNumber(ctx.locale, Math.round((bytes / (1024 * 1024)) * 10) / 10) });
}

/** One timestamp as the public and the organisers see it: verified, not trusted (and why), or none given (and why). */
function TimestampLine({ ctx, tokenHref, timestamp }: { ctx: PageContext; tokenHref: TokenHref; timestamp: TimestampRecord }) {
  const { t } = ctx;
  const download = timestamp.token ? (
    <>
      {' '}
      <a href={tokenHref(timestamp)} download={timestampFileName(timestamp)}>
        {t('evidence.captures.downloadToken')}
      </a>
    </>
  ) : null;
  if (timestamp.verified && timestamp.genTime) {
    return (
      <li>
        {t('evidence.captures.timestamped', {
          authority: timestamp.authority ?? timestamp.tsaUrl,
          genTime: formatDate(ctx.locale, timestamp.genTime, DATE_TIME),
        })}
        {download}
      </li>
    );
  }
  if (timestamp.token) {
    return (
      <li>
        <strong>{t('evidence.captures.notTrusted', { reason: timestamp.reason ?? '' })}</strong> ({timestamp.tsaUrl}){download}
      </li>
    );
  }
  return <li>{t('evidence.captures.noToken', { authority: timestamp.tsaUrl, reason: timestamp.reason ?? '' })}</li>;
}

function Timestamps({ ctx, tokenHref, timestamps }: { ctx: PageContext; tokenHref: TokenHref; timestamps: TimestampRecord[] }) {
  if (timestamps.length === 0) return <p class="hint">{ctx.t('evidence.captures.notTimestamped')}</p>;
  return (
    <ul>
      {timestamps.map((timestamp) => (
        <TimestampLine key={timestamp.id} ctx={ctx} tokenHref={tokenHref} timestamp={timestamp} />
      ))}
    </ul>
  );
}

/**
 * The public part of a source: each stored copy with its date, hash, timestamps and downloads. Renders nothing when
 * the source has no stored copy. `copies` may hold captures in any state: only stored ones are shown.
 */
export function ArchivedCopies({ ctx, slug, copies }: { ctx: PageContext; slug: string; copies: readonly CopyView[] }) {
  const { t } = ctx;
  const stored = copies.filter((copy) => copy.capture.state === 'stored' && copy.capture.sha256 && copy.capture.capturedAt);
  if (stored.length === 0) return null;
  return (
    <div class="archived-copies">
      {stored.map(({ capture, timestamps }) => (
        <div key={capture.id} class="archived-copy">
          <p>
            {t(capture.kind === 'uploaded' ? 'evidence.captures.uploadedCopy' : 'evidence.captures.archivedCopy', {
              date: formatDate(ctx.locale, capture.capturedAt!, DATE_TIME),
            })}{' '}
            {t('evidence.captures.sha256')} <code class="hash">{capture.sha256}</code>{' '}
            <a href={copyPath(slug, capture)} download={copyFileName(capture)}>
              {t('evidence.captures.download', {
                type: COPY_TYPES[capture.fileType ?? 'warc'].extension.toUpperCase(),
                size: formatBytes(ctx, capture.size ?? 0),
              })}
            </a>
          </p>
          <Timestamps ctx={ctx} tokenHref={(timestamp) => timestampPath(slug, timestamp)} timestamps={timestamps} />
        </div>
      ))}
    </div>
  );
}

function CaptureState({ ctx, capture }: { ctx: PageContext; capture: CaptureRecord }) {
  const { t } = ctx;
  if (capture.state === 'failed') {
    const reason = capture.errorReason ?? 'unreachable';
    return (
      <p class="error">
        {t('evidence.captures.failed', { reason: t(`evidence.captures.refusal.${reason}`, { defaultValue: reason }) })}
        {capture.error ? <span class="hint"> ({capture.error})</span> : null}
      </p>
    );
  }
  if (capture.state !== 'stored') return <p>{t('evidence.captures.pending')}</p>;
  return (
    <p>
      {t(capture.kind === 'uploaded' ? 'evidence.captures.uploadedCopy' : 'evidence.captures.archivedCopy', {
        date: formatDate(ctx.locale, capture.capturedAt!, DATE_TIME),
      })}{' '}
      {t('evidence.captures.sha256')} <code class="hash">{capture.sha256}</code>
      {capture.httpStatus !== null
        ? ` (HTTP ${capture.httpStatus}${capture.finalUrl && capture.finalUrl !== capture.requestedUrl ? `, ${capture.finalUrl}` : ''})`
        : null}
    </p>
  );
}

/**
 * The organisers' panel on a source: "Capture this page" (the worker fetches it), an upload form for a copy made
 * elsewhere, and every capture with its state, refusals in words, and its files to download (public or not).
 * `canEdit` shows the two forms; `timestampsConfigured` false makes the panel say copies get no timestamp.
 */
export function SourceCapturesPanel({
  ctx,
  sourceId,
  copies,
  canEdit,
  timestampsConfigured,
  maxBytes,
}: {
  ctx: PageContext;
  sourceId: number;
  copies: readonly CopyView[];
  canEdit: boolean;
  timestampsConfigured: boolean;
  maxBytes: number;
}) {
  const { t } = ctx;
  return (
    <section class="source-captures" aria-labelledby={`captures-${sourceId}`}>
      <h2 id={`captures-${sourceId}`}>{t('evidence.captures.title')}</h2>
      <p class="hint">{t('evidence.captures.explain')}</p>
      {timestampsConfigured ? null : <p class="notice warning">{t('evidence.captures.timestampsOff')}</p>}
      {canEdit ? (
        <>
          <form method="post" action={`/admin/evidence/sources/${sourceId}/capture`} class="inline">
            <CsrfField ctx={ctx} />
            <button type="submit">{t('evidence.captures.capture')}</button>
          </form>
          <form method="post" action={`/admin/evidence/sources/${sourceId}/copies`} enctype="multipart/form-data" class="stacked">
            <CsrfField ctx={ctx} />
            <div class="field">
              <label for={`copy-${sourceId}`}>{t('evidence.captures.uploadLabel')}</label>
              <p class="hint" id={`copy-${sourceId}-hint`}>
                {t('evidence.captures.uploadHint', { size: formatBytes(ctx, maxBytes) })}
              </p>
              <input type="file" id={`copy-${sourceId}`} name="copy" required aria-describedby={`copy-${sourceId}-hint`} />
            </div>
            <button type="submit">{t('evidence.captures.upload')}</button>
          </form>
        </>
      ) : null}
      {copies.length === 0 ? (
        <p>{t('evidence.captures.none')}</p>
      ) : (
        <ol class="captures" reversed>
          {copies.map(({ capture, timestamps }) => (
            <li key={capture.id}>
              <CaptureState ctx={ctx} capture={capture} />
              {capture.state === 'stored' ? (
                <>
                  <p>
                    <a href={adminCopyPath(capture)} download={copyFileName(capture)}>
                      {t('evidence.captures.download', {
                        type: COPY_TYPES[capture.fileType ?? 'warc'].extension.toUpperCase(),
                        size: formatBytes(ctx, capture.size ?? 0),
                      })}
                    </a>
                  </p>
                  <Timestamps ctx={ctx} tokenHref={adminTimestampPath} timestamps={timestamps} />
                </>
              ) : null}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
