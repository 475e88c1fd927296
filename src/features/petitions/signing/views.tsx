/** The pages a signer sees after the form: "check your email", and the pages behind the mailed links. */
import { localeHref, type PageContext } from '../../../web/context.ts';
import { CsrfField, Layout } from '../../../web/layout.tsx';

export function SignedPage({ ctx, slug }: { ctx: PageContext; slug: string }) {
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('petitions.signed.title')}>
      <h1>{t('petitions.signed.title')}</h1>
      <p>{t('petitions.signed.body')}</p>
      <p>{t('petitions.signed.spam')}</p>
      <p>
        <a href={localeHref(ctx, `/c/${slug}`)}>{t('petitions.signed.back')}</a>
      </p>
    </Layout>
  );
}

/** The page behind a link in a mail: a button, because mail scanners follow links but do not press buttons. */
export function TokenActionPage({
  ctx,
  kind,
  action,
  state,
  slug,
}: {
  ctx: PageContext;
  kind: 'confirm' | 'withdraw';
  action: string;
  state: 'ask' | 'done' | 'already';
  slug: string | undefined;
}) {
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t(`petitions.${kind}.title`)}>
      <h1>{t(`petitions.${kind}.title`)}</h1>
      {state === 'ask' ? (
        <form method="post" action={action}>
          <CsrfField ctx={ctx} />
          <p>{t(`petitions.${kind}.body`)}</p>
          <button type="submit" class="primary">
            {t(`petitions.${kind}.button`)}
          </button>
        </form>
      ) : (
        <p class="notice ok" role="status">
          {t(`petitions.${kind}.${state}`)}
        </p>
      )}
      {kind === 'confirm' && state !== 'ask' ? <p>{t('petitions.confirm.share')}</p> : null}
      {slug ? (
        <p>
          <a href={`/c/${slug}`}>{t('petitions.signed.back')}</a>
        </p>
      ) : null}
    </Layout>
  );
}
