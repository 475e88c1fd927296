/**
 * What the public sees: the wall on the campaign page, the page of every verified endorsement, and the form that
 * suggests one. Content keeps its own language (`lang`) when it differs from the page's.
 */
import type { FieldErrors } from '../../errors.ts';
import { localeHref, type PageContext } from '../../web/context.ts';
import { CSRF_FIELD } from '../../web/csrf.ts';
import { ErrorSummary, TextArea, TextField, type FormValues } from '../../web/fields.tsx';
import { formatDate } from '../../web/i18n.ts';
import { Layout } from '../../web/layout.tsx';
import { type Campaign, type FormTokens, textFor } from '../campaigns/index.ts';
import { type Endorsement, LIMITS } from './model.ts';

/** A date as people read it: the day, or "around" the month when it is approximate. */
export function EndorsementDate({ ctx, date, approximate }: { ctx: PageContext; date: string; approximate: boolean }) {
  if (!approximate) return <time datetime={date}>{formatDate(ctx.locale, date)}</time>;
  const month = formatDate(ctx.locale, date, { month: 'long', year: 'numeric' });
  return <time datetime={date.slice(0, 7)}>{ctx.t('endorsements.dateApproximate', { date: month })}</time>;
}

/** Where and when it was said, and the link to the original post, as one line of text. */
function EndorsementMeta({ ctx, endorsement }: { ctx: PageContext; endorsement: Endorsement }) {
  const { t } = ctx;
  const { platform, date, dateApproximate, url, name, lang } = endorsement;
  if (!platform && !date && !url) return null;
  return (
    <p class="endorsement-meta">
      {platform ? (
        <span>
          {`${t('endorsements.platform')} `}
          <span lang={lang === ctx.locale ? undefined : lang}>{platform}</span>
        </span>
      ) : null}
      {platform && date ? ' · ' : null}
      {date ? <EndorsementDate ctx={ctx} date={date} approximate={dateApproximate} /> : null}
      {url && (platform || date) ? ' · ' : null}
      {url ? (
        <a href={url} rel="noopener noreferrer">
          {t('endorsements.originalPost')}
          <span class="visually-hidden">{`: ${name}`}</span>
        </a>
      ) : null}
    </p>
  );
}

export function EndorsementItem({ ctx, endorsement, level }: { ctx: PageContext; endorsement: Endorsement; level: 2 | 3 }) {
  const { name, description, quote, url, lang, featured } = endorsement;
  const Heading = level === 2 ? 'h2' : 'h3';
  const headingId = `endorsement-${endorsement.id}`;
  return (
    <li>
      <article class={featured ? 'endorsement is-featured' : 'endorsement'} aria-labelledby={headingId}>
        <div lang={lang === ctx.locale ? undefined : lang}>
          <Heading id={headingId}>{name}</Heading>
          {description ? <p class="endorsement-description">{description}</p> : null}
          {quote ? (
            <blockquote cite={url || undefined}>
              {quote.split(/\n{2,}/).map((paragraph) => (
                <p>{paragraph}</p>
              ))}
            </blockquote>
          ) : null}
        </div>
        <EndorsementMeta ctx={ctx} endorsement={endorsement} />
      </article>
    </li>
  );
}

/** The campaign page's wall: featured endorsements first, then the latest, with links to all and to suggest one. */
export function EndorsementWall({ ctx, slug, shown, total }: { ctx: PageContext; slug: string; shown: readonly Endorsement[]; total: number }) {
  const { t } = ctx;
  return (
    <section class="endorsements" aria-labelledby="endorsements-heading">
      <h2 id="endorsements-heading">{t('endorsements.heading')}</h2>
      {shown.length === 0 ? (
        <p>{t('endorsements.none')}</p>
      ) : (
        <>
          <p class="hint">{t('endorsements.verifiedNote')}</p>
          <ul class="endorsement-list">
            {shown.map((endorsement) => (
              <EndorsementItem ctx={ctx} endorsement={endorsement} level={3} />
            ))}
          </ul>
        </>
      )}
      <ul class="endorsement-links">
        {total > 0 ? (
          <li>
            <a href={localeHref(ctx, `/c/${slug}/endorsements`)}>{t('endorsements.seeAll', { count: total })}</a>
          </li>
        ) : null}
        <li>
          <a href={localeHref(ctx, `/c/${slug}/endorsements/suggest`)}>{t('endorsements.suggestLink')}</a>
        </li>
      </ul>
    </section>
  );
}

function BackToCampaign({ ctx, campaign }: { ctx: PageContext; campaign: Campaign }) {
  const { text, locale } = textFor(campaign, ctx.locale);
  return (
    <p>
      <a href={localeHref(ctx, `/c/${campaign.slug}`)}>
        {`${ctx.t('endorsements.backTo')} `}
        <span lang={locale === ctx.locale ? undefined : locale}>{text.title}</span>
      </a>
    </p>
  );
}

/** The page of every verified endorsement of a campaign. */
export function EndorsementsPage({ ctx, campaign, endorsements }: { ctx: PageContext; campaign: Campaign; endorsements: readonly Endorsement[] }) {
  const { t } = ctx;
  const { text } = textFor(campaign, ctx.locale);
  return (
    <Layout ctx={ctx} title={`${t('endorsements.pageTitle')} · ${text.title}`} description={t('endorsements.verifiedNote')}>
      <BackToCampaign ctx={ctx} campaign={campaign} />
      <h1>{t('endorsements.pageTitle')}</h1>
      <p class="hint">{t('endorsements.verifiedNote')}</p>
      {endorsements.length === 0 ? (
        <p>{t('endorsements.none')}</p>
      ) : (
        <ul class="endorsement-list">
          {endorsements.map((endorsement) => (
            <EndorsementItem ctx={ctx} endorsement={endorsement} level={2} />
          ))}
        </ul>
      )}
      <p>
        <a href={localeHref(ctx, `/c/${campaign.slug}/endorsements/suggest`)}>{t('endorsements.suggestLink')}</a>
      </p>
    </Layout>
  );
}

export const SUGGESTION_FIELDS = ['name', 'description', 'url', 'quote'] as const;

export function suggestionLabels(ctx: PageContext): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const field of SUGGESTION_FIELDS) labels[field] = ctx.t(`endorsements.suggest.${field}`);
  return labels;
}

/**
 * The suggestion form. Its CSRF token and form stamp come as `tokens`, so the page can be cached with placeholders
 * and filled in per response, as the campaign page is.
 */
export function SuggestPage(props: { ctx: PageContext; campaign: Campaign; tokens: FormTokens; values: FormValues; errors: FieldErrors }) {
  const { ctx, campaign, tokens, values, errors } = props;
  const { t } = ctx;
  const labels = suggestionLabels(ctx);
  const s = (key: string) => t(`endorsements.suggest.${key}`);
  return (
    <Layout ctx={ctx} title={s('title')}>
      <BackToCampaign ctx={ctx} campaign={campaign} />
      <h1>{s('title')}</h1>
      <p>{s('intro')}</p>
      <p class="notice">{s('privacy')}</p>
      <ErrorSummary ctx={ctx} errors={errors} labels={labels} />
      <form method="post" action={`/c/${campaign.slug}/endorsements/suggest`} class="stacked" novalidate>
        <input type="hidden" name={CSRF_FIELD} value={tokens.csrf} />
        <input type="hidden" name="ts" value={tokens.stamp} />
        <TextField ctx={ctx} name="name" label={labels['name']!} errors={errors} values={values} required maxLength={LIMITS.name} autocomplete="off" />
        <TextField
          ctx={ctx}
          name="description"
          label={labels['description']!}
          hint={s('descriptionHint')}
          errors={errors}
          values={values}
          required
          maxLength={LIMITS.description}
          autocomplete="off"
        />
        <TextField
          ctx={ctx}
          name="url"
          label={labels['url']!}
          hint={s('urlHint')}
          errors={errors}
          values={values}
          required
          maxLength={LIMITS.url}
          autocomplete="off"
        />
        <TextArea ctx={ctx} name="quote" label={labels['quote']!} hint={s('quoteHint')} errors={errors} values={values} rows={5} maxLength={LIMITS.quote} />
        <div class="field honeypot" aria-hidden="true">
          <label for="website">{s('honeypot')}</label>
          <input type="text" id="website" name="website" tabIndex={-1} autocomplete="off" />
        </div>
        <button type="submit" class="primary">
          {s('send')}
        </button>
      </form>
    </Layout>
  );
}

export function SuggestedPage({ ctx, campaign }: { ctx: PageContext; campaign: Campaign }) {
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('endorsements.suggested.title')}>
      <h1>{t('endorsements.suggested.title')}</h1>
      <p>{t('endorsements.suggested.body')}</p>
      <BackToCampaign ctx={ctx} campaign={campaign} />
    </Layout>
  );
}
