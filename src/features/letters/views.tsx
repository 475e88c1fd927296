/** The public pages of open letters: the letter with its verified signatories, the campaign-page list, signing. */
import type { FieldErrors } from '../../errors.ts';
import { localeHref, type PageContext } from '../../web/context.ts';
import { CSRF_FIELD } from '../../web/csrf.ts';
import { ErrorSummary, SelectField, TextField, type FormValues } from '../../web/fields.tsx';
import { formatDate, formatNumber, type Locale } from '../../web/i18n.ts';
import { CsrfField, Layout } from '../../web/layout.tsx';
import { renderMarkdown } from '../../web/markdown.ts';
import { type Target, targetText } from '../accountability/index.ts';
import { type Campaign, type FormTokens, textFor } from '../campaigns/index.ts';
import { LIMITS } from './forms.ts';
import { CATEGORIES, groupByCategory, type Letter, type PublicLetter, type ReportedCount } from './model.ts';

function DateText({ locale, date, approximate }: { locale: Locale; date: string; approximate: boolean }) {
  const text = formatDate(locale, date, { dateStyle: 'long' });
  return <time dateTime={date}>{approximate ? `≈ ${text}` : text}</time>;
}

export function letterPath(slug: string, letterId: number): string {
  return `/c/${slug}/letters/${letterId}`;
}

function VerifiedCount({ ctx, count }: { ctx: PageContext; count: number }) {
  return <>{ctx.t('letters.verifiedCount', { count, formatted: formatNumber(ctx.locale, count) })}</>;
}

/** "53 signatories, as reported by <publisher>": a number the campaign did not check, always with its source. */
function ReportedText({ ctx, reported }: { ctx: PageContext; reported: ReportedCount }) {
  return (
    <>
      {ctx.t('letters.reported', { count: reported.count, formatted: formatNumber(ctx.locale, reported.count) })}{' '}
      <a href={reported.url} rel="noopener noreferrer nofollow">
        {reported.publisher}
      </a>
    </>
  );
}

function StateText({ ctx, letter }: { ctx: PageContext; letter: Letter }) {
  return <span class={`letter-state ${letter.state}`}>{ctx.t(`letters.state_${letter.state}`)}</span>;
}

function LetterFacts({ ctx, letter }: { ctx: PageContext; letter: Letter }) {
  const { t, locale } = ctx;
  return (
    <ul class="letter-facts">
      <li>
        <StateText ctx={ctx} letter={letter} />
      </li>
      {letter.datedOn ? (
        <li>
          {t('letters.dated')} <DateText locale={locale} date={letter.datedOn} approximate={letter.dateApproximate} />
        </li>
      ) : null}
      {letter.state === 'delivered' && letter.deliveredOn ? (
        <li>
          {t('letters.delivered')} <DateText locale={locale} date={letter.deliveredOn} approximate={letter.deliveredApproximate} />
        </li>
      ) : null}
    </ul>
  );
}

export function LetterPage({ ctx, campaign, entry, targets }: { ctx: PageContext; campaign: Campaign; entry: PublicLetter; targets: readonly Target[] }) {
  const { t, locale } = ctx;
  const { letter, signatories } = entry;
  const campaignTitle = textFor(campaign, locale).text.title;
  const addressed = targets.filter((target) => letter.targetIds.includes(target.id));
  return (
    <Layout ctx={ctx} title={`${letter.title} · ${campaignTitle}`} description={t('letters.description')}>
      <p>
        <a href={localeHref(ctx, `/c/${campaign.slug}`)}>{campaignTitle}</a>
      </p>
      <article class="letter" aria-labelledby="letter-title">
        <h1 id="letter-title" lang={letter.lang}>
          {letter.title}
        </h1>
        <LetterFacts ctx={ctx} letter={letter} />
        {addressed.length > 0 ? (
          <>
            <h2>{t('letters.addressedTo')}</h2>
            <ul class="addressed">
              {addressed.map((target) => {
                const text = targetText(target, locale);
                return (
                  <li>
                    <a href={localeHref(ctx, `/c/${campaign.slug}/accountability#target-${target.id}`)}>{text.name}</a>
                    {text.office ? ` · ${text.office}` : ''}
                  </li>
                );
              })}
            </ul>
          </>
        ) : null}
        <h2>{t('letters.text')}</h2>
        <div class="letter-text" lang={letter.lang} dangerouslySetInnerHTML={{ __html: renderMarkdown(letter.bodyMd) }} />
        {letter.state === 'collecting' ? (
          <p>
            <a class="button primary" href={localeHref(ctx, `${letterPath(campaign.slug, letter.id)}/sign`)}>
              {t('letters.signLink')}
            </a>
          </p>
        ) : null}
      </article>
      <section aria-labelledby="signatories-heading">
        <h2 id="signatories-heading">{t('letters.signatories')}</h2>
        <p>
          <strong>
            <VerifiedCount ctx={ctx} count={signatories.length} />
          </strong>
        </p>
        {signatories.length === 0 ? <p>{t('letters.noneVerified')}</p> : <p class="hint">{t('letters.verifiedNote')}</p>}
        {groupByCategory(signatories).map(([category, group]) => (
          <section aria-labelledby={`category-${category}`}>
            <h3 id={`category-${category}`}>{`${t(`letters.category_${category}`)} (${formatNumber(locale, group.length)})`}</h3>
            <ul class="signatories">
              {group.map((s) => (
                <li>
                  <strong>{s.name}</strong>
                  {[s.title, s.affiliation].filter(Boolean).length > 0 ? `, ${[s.title, s.affiliation].filter(Boolean).join(', ')}` : ''}
                </li>
              ))}
            </ul>
          </section>
        ))}
        {letter.reported ? (
          <section class="reported-count" aria-labelledby="reported-heading">
            <h3 id="reported-heading">{t('letters.reportedHeading')}</h3>
            <p>
              <ReportedText ctx={ctx} reported={letter.reported} />
            </p>
            <p class="hint">{t('letters.reportedNote')}</p>
          </section>
        ) : null}
      </section>
      {letter.state === 'delivered' ? (
        <section aria-labelledby="response-heading">
          <h2 id="response-heading">{t('letters.response')}</h2>
          {letter.responseText ? <p class="response">{letter.responseText}</p> : null}
          {letter.responseUrl ? (
            <p>
              <a href={letter.responseUrl} rel="noopener noreferrer nofollow">
                {t('letters.responseLink')}
              </a>
            </p>
          ) : null}
          {!letter.responseText && !letter.responseUrl ? <p>{t('letters.noResponse')}</p> : null}
        </section>
      ) : null}
    </Layout>
  );
}

/** The campaign page's part: each public letter with its counts, and a way to it. */
export function LettersSection({ ctx, slug, letters }: { ctx: PageContext; slug: string; letters: readonly PublicLetter[] }) {
  const { t } = ctx;
  if (letters.length === 0) return null;
  return (
    <section class="letters" aria-labelledby="letters-heading">
      <h2 id="letters-heading">{t('letters.sectionTitle')}</h2>
      <ul class="letters-list">
        {letters.map(({ letter, signatories }) => (
          <li>
            <a href={localeHref(ctx, letterPath(slug, letter.id))} lang={letter.lang}>
              {letter.title}
            </a>{' '}
            · <StateText ctx={ctx} letter={letter} /> · <VerifiedCount ctx={ctx} count={signatories.length} />
            {letter.reported ? (
              <>
                {' · '}
                <ReportedText ctx={ctx} reported={letter.reported} />
              </>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function signOnLabels(ctx: PageContext): Record<string, string> {
  const { t } = ctx;
  return {
    name: t('letters.sign.name'),
    office: t('letters.sign.office'),
    affiliation: t('letters.sign.affiliation'),
    category: t('letters.sign.category'),
    email: t('letters.sign.email'),
  };
}

export function categoryOptions(ctx: PageContext) {
  return CATEGORIES.map((category) => ({ value: category, label: ctx.t(`letters.categoryOne_${category}`) }));
}

export function SignOnPage({
  ctx,
  campaign,
  letter,
  tokens,
  values,
  errors,
}: {
  ctx: PageContext;
  campaign: Campaign;
  letter: Letter;
  tokens: Pick<FormTokens, 'csrf' | 'stamp'>;
  values: FormValues;
  errors: FieldErrors;
}) {
  const { t } = ctx;
  const labels = signOnLabels(ctx);
  const path = letterPath(campaign.slug, letter.id);
  return (
    <Layout ctx={ctx} title={t('letters.sign.heading')}>
      <p>
        <a href={path} lang={letter.lang}>
          {letter.title}
        </a>
      </p>
      <h1>{t('letters.sign.heading')}</h1>
      <p>{t('letters.sign.intro')}</p>
      <ErrorSummary ctx={ctx} errors={errors} labels={labels} />
      <form method="post" action={`${path}/sign`} class="stacked" novalidate>
        <input type="hidden" name={CSRF_FIELD} value={tokens.csrf} />
        <input type="hidden" name="ts" value={tokens.stamp} />
        <TextField ctx={ctx} name="name" label={labels['name']!} errors={errors} values={values} required maxLength={LIMITS.name} autocomplete="name" />
        <TextField
          ctx={ctx}
          name="office"
          label={labels['office']!}
          errors={errors}
          values={values}
          maxLength={LIMITS.office}
          autocomplete="organization-title"
        />
        <TextField
          ctx={ctx}
          name="affiliation"
          label={labels['affiliation']!}
          errors={errors}
          values={values}
          maxLength={LIMITS.affiliation}
          autocomplete="organization"
        />
        <SelectField ctx={ctx} name="category" label={labels['category']!} errors={errors} values={values} options={categoryOptions(ctx)} required />
        <TextField
          ctx={ctx}
          name="email"
          type="email"
          label={labels['email']!}
          hint={t('letters.sign.emailHint')}
          errors={errors}
          values={values}
          required
          maxLength={254}
          autocomplete="email"
        />
        <div class="field honeypot" aria-hidden="true">
          <label for="website">{t('letters.sign.honeypot')}</label>
          <input type="text" id="website" name="website" tabIndex={-1} autocomplete="off" />
        </div>
        <p class="hint">{t('letters.sign.verifyNote')}</p>
        <button type="submit" class="primary">
          {t('letters.sign.send')}
        </button>
      </form>
    </Layout>
  );
}

export function SignedPage({ ctx, path }: { ctx: PageContext; path: string }) {
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('letters.signed.title')}>
      <h1>{t('letters.signed.title')}</h1>
      <p>{t('letters.signed.body')}</p>
      <p>
        <a href={path}>{t('letters.backToLetter')}</a>
      </p>
    </Layout>
  );
}

/** The page behind the mailed link: a button, because mail scanners follow links but do not press buttons. */
export function ConfirmPage({ ctx, action, state, path }: { ctx: PageContext; action: string; state: 'ask' | 'done' | 'already'; path: string | undefined }) {
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('letters.confirm.title')}>
      <h1>{t('letters.confirm.title')}</h1>
      {state === 'ask' ? (
        <form method="post" action={action}>
          <CsrfField ctx={ctx} />
          <p>{t('letters.confirm.body')}</p>
          <button type="submit" class="primary">
            {t('letters.confirm.button')}
          </button>
        </form>
      ) : (
        <p class="notice ok" role="status">
          {t(`letters.confirm.${state}`)}
        </p>
      )}
      {path ? (
        <p>
          <a href={path}>{t('letters.backToLetter')}</a>
        </p>
      ) : null}
    </Layout>
  );
}
