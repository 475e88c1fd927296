import { renderSVG } from 'uqr';
import type { PageContext } from '../../../web/context.ts';
import { ErrorSummary, TextField, type FormValues } from '../../../web/fields.tsx';
import { formatDate } from '../../../web/i18n.ts';
import { CsrfField } from '../../../web/layout.tsx';
import type { FieldErrors } from '../../../errors.ts';
import { AdminLayout } from '../views.tsx';
import type { FactorSummary } from './queries.ts';
import { MAX_LABEL_LENGTH } from './service.ts';
import { groupedSecret } from './totp.ts';

export type VerifyProblem = 'wrong-code' | 'too-many';

/** The second step of logging in: a code from the app or a recovery code (no script needed), or a passkey. */
export function VerifyPage({ ctx, next, hasPasskeys, problem }: { ctx: PageContext; next: string; hasPasskeys: boolean; problem?: VerifyProblem | undefined }) {
  const { t } = ctx;
  const errors: FieldErrors = problem === 'wrong-code' ? { code: 'twoFactor.wrongCode' } : {};
  const labels = { code: t('twoFactor.code') };
  return (
    <AdminLayout ctx={ctx} title={t('twoFactor.verifyTitle')}>
      <h1>{t('twoFactor.verifyTitle')}</h1>
      <ErrorSummary ctx={ctx} errors={errors} labels={labels} />
      {problem === 'too-many' ? (
        <p class="notice" role="alert">
          {t('twoFactor.tooMany')}
        </p>
      ) : null}
      {hasPasskeys ? (
        <>
          <PasskeyPanel ctx={ctx} kind="login" next={next}>
            <button type="button" class="primary">
              {t('twoFactor.usePasskey')}
            </button>
          </PasskeyPanel>
          <p data-passkey-needs-script>{t('twoFactor.passkeyNeedsScript')}</p>
        </>
      ) : null}
      <form method="post" action="/admin/login/verify" class="stacked" novalidate>
        <CsrfField ctx={ctx} />
        <input type="hidden" name="next" value={next} />
        <TextField
          ctx={ctx}
          name="code"
          label={labels.code}
          hint={t('twoFactor.codeHint')}
          autocomplete="one-time-code"
          required
          errors={errors}
          values={{}}
          maxLength={40}
        />
        <button type="submit" class={hasPasskeys ? undefined : 'primary'}>
          {t('twoFactor.verify')}
        </button>
      </form>
      <form method="post" action="/admin/logout">
        <CsrfField ctx={ctx} />
        <button type="submit" class="link">
          {t('twoFactor.cancel')}
        </button>
      </form>
    </AdminLayout>
  );
}

/** A passkey ceremony's panel: hidden until the admin script finds WebAuthn, with a live region for what happens. */
function PasskeyPanel({ ctx, kind, next, children }: { ctx: PageContext; kind: 'login' | 'register'; next?: string; children: preact.ComponentChildren }) {
  const { t } = ctx;
  return (
    <div
      data-passkey={kind}
      data-csrf={ctx.csrfToken()}
      data-next={next}
      data-waiting={t('twoFactor.passkeyWaiting')}
      data-failed={t('twoFactor.passkeyFailed')}
      hidden
    >
      {children}
      <p role="status" data-passkey-status></p>
    </div>
  );
}

export function SecurityPage({
  ctx,
  factors,
  unusedCodes,
  mustEnrol,
  flash,
  passwordError,
}: {
  ctx: PageContext;
  factors: readonly FactorSummary[];
  unusedCodes: number;
  mustEnrol: boolean;
  flash?: string | undefined;
  passwordError?: boolean;
}) {
  const { t, locale } = ctx;
  return (
    <AdminLayout ctx={ctx} title={t('twoFactor.title')} flash={flash}>
      <h1>{t('twoFactor.title')}</h1>
      {mustEnrol ? (
        <p class="notice warning" role="alert">
          {t(ctx.user?.role === 'partner' ? 'twoFactor.mustEnrolPartner' : 'twoFactor.mustEnrol')}
        </p>
      ) : null}
      {passwordError ? (
        <p class="notice" role="alert">
          {t('twoFactor.passwordWrong')}
        </p>
      ) : null}
      <p>{t('twoFactor.intro')}</p>
      <h2>{t('twoFactor.yourMethods')}</h2>
      {factors.length === 0 ? (
        <p>{t('twoFactor.none')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('twoFactor.label')}</th>
              <th scope="col">{t('twoFactor.kind')}</th>
              <th scope="col">{t('twoFactor.added')}</th>
              <th scope="col">{t('twoFactor.lastUsed')}</th>
              <th scope="col">{t('admin.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {factors.map((factor) => (
              <tr>
                <td>{factor.label}</td>
                <td>{t(`twoFactor.kind_${factor.kind}`)}</td>
                <td>{formatDate(locale, factor.createdAt, { dateStyle: 'medium' })}</td>
                <td>{factor.lastUsedAt ? formatDate(locale, factor.lastUsedAt, { dateStyle: 'medium', timeStyle: 'short' }) : t('twoFactor.never')}</td>
                <td>
                  <form method="post" action={`/admin/security/factors/${factor.id}/remove`} class="inline">
                    <CsrfField ctx={ctx} />
                    <PasswordConfirm ctx={ctx} id={`password-${factor.id}`} />
                    <button type="submit">{t('twoFactor.remove', { label: factor.label })}</button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>{t('twoFactor.addApp')}</h2>
      <p>{t('twoFactor.addAppIntro')}</p>
      <p>
        <a href="/admin/security/totp">{t('twoFactor.addAppLink')}</a>
      </p>
      <h2>{t('twoFactor.addPasskey')}</h2>
      <p>{t('twoFactor.addPasskeyIntro')}</p>
      <p data-passkey-needs-script>{t('twoFactor.passkeyNeedsScript')}</p>
      <PasskeyPanel ctx={ctx} kind="register">
        <form class="stacked" action="/admin/security" method="get">
          <TextField ctx={ctx} name="label" label={t('twoFactor.label')} hint={t('twoFactor.labelHint')} errors={{}} values={{}} maxLength={MAX_LABEL_LENGTH} />
          <button type="submit">{t('twoFactor.addPasskeyButton')}</button>
        </form>
      </PasskeyPanel>
      <h2>{t('twoFactor.recoveryCodes')}</h2>
      <p>{t('twoFactor.recoveryCodesLeft', { count: unusedCodes })}</p>
      {factors.length > 0 ? (
        <form method="post" action="/admin/security/recovery-codes" class="stacked">
          <CsrfField ctx={ctx} />
          {unusedCodes > 0 ? <PasswordConfirm ctx={ctx} id="password-codes" /> : null}
          <button type="submit" class={unusedCodes === 0 ? 'primary' : undefined}>
            {t(unusedCodes > 0 ? 'twoFactor.replaceCodes' : 'twoFactor.createCodes')}
          </button>
        </form>
      ) : (
        <p>{t('twoFactor.codesAfterFactor')}</p>
      )}
    </AdminLayout>
  );
}

/** Removing a factor or replacing recovery codes asks for the password again: a session left open is not enough. */
function PasswordConfirm({ ctx, id }: { ctx: PageContext; id: string }) {
  return (
    <div class="field">
      <label for={id}>{ctx.t('twoFactor.confirmPassword')}</label>
      <input type="password" id={id} name="password" autocomplete="current-password" required maxLength={1024} />
    </div>
  );
}

export function TotpSetupPage({
  ctx,
  sealed,
  secret,
  uri,
  values,
  errors,
}: {
  ctx: PageContext;
  sealed: string;
  secret: string;
  uri: string;
  values: FormValues;
  errors: FieldErrors;
}) {
  const { t } = ctx;
  const labels = { label: t('twoFactor.label'), code: t('twoFactor.code') };
  return (
    <AdminLayout ctx={ctx} title={t('twoFactor.addApp')}>
      <h1>{t('twoFactor.addApp')}</h1>
      <ErrorSummary ctx={ctx} errors={errors} labels={labels} />
      <ol>
        <li>{t('twoFactor.step1')}</li>
        <li>
          {t('twoFactor.step2')}
          <div class="qr" dangerouslySetInnerHTML={{ __html: qrSvg(uri, t('twoFactor.qrAlt')) }} />
          <p>
            {t('twoFactor.manualKey')} <code class="secret">{groupedSecret(secret)}</code>
          </p>
        </li>
        <li>{t('twoFactor.step3')}</li>
      </ol>
      <form method="post" action="/admin/security/totp" class="stacked" novalidate>
        <CsrfField ctx={ctx} />
        <input type="hidden" name="sealed" value={sealed} />
        <TextField ctx={ctx} name="label" label={labels.label} hint={t('twoFactor.labelHint')} errors={errors} values={values} maxLength={MAX_LABEL_LENGTH} />
        <TextField
          ctx={ctx}
          name="code"
          label={labels.code}
          autocomplete="one-time-code"
          inputMode="numeric"
          required
          errors={errors}
          values={{}}
          maxLength={12}
        />
        <button type="submit" class="primary">
          {t('twoFactor.confirmApp')}
        </button>
      </form>
    </AdminLayout>
  );
}

export function RecoveryCodesPage({ ctx, codes }: { ctx: PageContext; codes: readonly string[] }) {
  const { t } = ctx;
  return (
    <AdminLayout ctx={ctx} title={t('twoFactor.recoveryCodes')}>
      <h1>{t('twoFactor.recoveryCodes')}</h1>
      <p class="notice warning">{t('twoFactor.codesOnce')}</p>
      <ul class="recovery-codes">
        {codes.map((code) => (
          <li>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <p>
        <a href="/admin/security">{t('twoFactor.codesSaved')}</a>
      </p>
    </AdminLayout>
  );
}

function qrSvg(uri: string, label: string): string {
  const escaped = label.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
  return renderSVG(uri, { pixelSize: 6 }).replace('<svg ', `<svg role="img" aria-label="${escaped}" width="200" height="200" `);
}
