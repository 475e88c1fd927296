import type { ComponentChildren } from 'preact';
import { localeHref, type PageContext } from '../../web/context.ts';
import { formatDate, formatNumber } from '../../web/i18n.ts';
import { Layout } from '../../web/layout.tsx';
import { markdownToPlainText, renderMarkdown } from '../../web/markdown.ts';
import { daysSince, textFor, type Campaign } from './model.ts';
import { shareLinks } from './share.ts';

export function CampaignPage({
  ctx,
  campaign,
  publicUrl,
  now,
  children,
}: {
  ctx: PageContext;
  campaign: Campaign;
  publicUrl: string;
  now: Date;
  children?: ComponentChildren;
}) {
  const { t, locale } = ctx;
  const { text, locale: textLocale, translated } = textFor(campaign, locale);
  const url = `${publicUrl}/c/${campaign.slug}`;
  const hashtag = `#${campaign.hashtag}`;
  const days = daysSince(campaign.startDate, now);
  const startDate = formatDate(locale, campaign.startDate, campaign.startDateApproximate ? { month: 'long', year: 'numeric' } : { dateStyle: 'long' });
  const description = text.summary ? markdownToPlainText(text.summary, 200) : markdownToPlainText(text.storyMd, 200);
  const shareText = t('campaign.shareText', { title: text.title, hashtag });
  const contentLang = textLocale === locale ? undefined : textLocale;

  return (
    <Layout ctx={ctx} title={text.title} description={description} canonicalUrl={url}>
      <article class="campaign">
        {campaign.status === 'archived' ? <p class="notice">{t('campaign.archived')}</p> : null}
        {translated ? null : <p class="notice">{t('campaign.noTranslation')}</p>}
        <div class="campaign-hero">
          <div lang={contentLang}>
            <p class="hashtag">{hashtag}</p>
            <h1>{text.title}</h1>
            {text.summary ? <p class="summary">{text.summary}</p> : null}
            <p class="goal">{t('campaign.goal', { goal: formatNumber(locale, campaign.goal) })}</p>
          </div>
          <section class="counter-card" aria-labelledby="days-counter">
            <h2 class="visually-hidden" id="days-counter">
              {t('campaign.counterHeading')}
            </h2>
            <p>
              <span class="number">{formatNumber(locale, days)}</span> {t('campaign.days', { count: days })}{' '}
              <span lang={contentLang}>{text.counterLabel || t('campaign.counterDefault')}</span>
            </p>
            <p>{campaign.startDateApproximate ? t('campaign.approximate', { date: startDate }) : t('campaign.startedOn', { date: startDate })}</p>
          </section>
        </div>

        {children}

        <section aria-labelledby="story-heading" class="story" lang={contentLang}>
          <h2 id="story-heading">{t('campaign.story')}</h2>
          <div dangerouslySetInnerHTML={{ __html: renderMarkdown(text.storyMd) }} />
        </section>

        <ShareSection ctx={ctx} url={url} text={shareText} subject={text.title} hashtag={hashtag} />
      </article>
    </Layout>
  );
}

function ShareSection({ ctx, url, text, subject, hashtag }: { ctx: PageContext; url: string; text: string; subject: string; hashtag: string }) {
  const { t } = ctx;
  return (
    <section class="share" aria-labelledby="share-heading" data-share-url={url} data-share-text={text}>
      <h2 id="share-heading">{t('campaign.share')}</h2>
      <p>{t('campaign.shareIntro', { hashtag })}</p>
      <ul>
        {shareLinks({ url, text, subject }).map((link) => (
          <li>
            <a href={link.href} rel="noopener noreferrer">
              {t('campaign.shareOn', { network: link.network === 'email' ? t('campaign.email') : link.network })}
            </a>
          </li>
        ))}
      </ul>
      <div class="share-tools" data-share-tools hidden>
        <button type="button" data-copy data-done={t('campaign.copied')} hidden>
          {t('campaign.copyLink')}
        </button>
        <button type="button" data-native-share hidden>
          {t('campaign.shareDevice')}
        </button>
        <p role="status" data-share-status></p>
      </div>
    </section>
  );
}

/** The home page when no campaign is featured: the list of published campaigns. */
export function HomePage({ ctx, published }: { ctx: PageContext; published: Campaign[] }) {
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('home.title')}>
      <h1>{t('home.title')}</h1>
      {published.length === 0 ? <p>{t('home.empty')}</p> : <CampaignList ctx={ctx} campaigns={published} />}
    </Layout>
  );
}

function CampaignList({ ctx, campaigns }: { ctx: PageContext; campaigns: Campaign[] }) {
  return (
    <ul class="campaign-list">
      {campaigns.map((campaign) => {
        const { text, locale } = textFor(campaign, ctx.locale);
        return (
          <li lang={locale === ctx.locale ? undefined : locale}>
            <h2>
              <a href={localeHref(ctx, `/c/${campaign.slug}`)}>{text.title}</a>
            </h2>
            <p class="hashtag">#{campaign.hashtag}</p>
            {text.summary ? <p>{text.summary}</p> : null}
          </li>
        );
      })}
    </ul>
  );
}

/**
 * Asks for the person's Mastodon server; once given, shows a link to the post ready there rather than redirecting,
 * so a link that starts with this site's address can never take anyone elsewhere without their seeing where.
 */
export function MastodonSharePage({
  ctx,
  text,
  error,
  destination,
}: {
  ctx: PageContext;
  text: string;
  error: boolean;
  destination?: { host: string; href: string };
}) {
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('mastodon.title')}>
      <h1>{t('mastodon.title')}</h1>
      {destination ? (
        <section aria-labelledby="mastodon-ready">
          <p id="mastodon-ready">{t('mastodon.ready', { host: destination.host })}</p>
          <p class="notice">{t('mastodon.leaving', { host: destination.host })}</p>
          <p>
            <a id="mastodon-continue" class="button primary" href={destination.href} rel="noopener noreferrer">
              {t('mastodon.open', { host: destination.host })}
            </a>
          </p>
          <h2>{t('mastodon.otherServer')}</h2>
        </section>
      ) : null}
      <p>{t('mastodon.intro')}</p>
      <form method="get" action="/share/mastodon" class="stacked">
        <input type="hidden" name="text" value={text} />
        <div class="field">
          <label for="instance">{t('mastodon.instance')}</label>
          <p class="hint" id="instance-hint">
            {t('mastodon.instanceHint')}
          </p>
          {error ? (
            <p class="error" id="instance-error">
              {t('mastodon.invalid')}
            </p>
          ) : null}
          <input
            type="text"
            id="instance"
            name="instance"
            autocomplete="url"
            inputMode="url"
            spellcheck={false}
            aria-describedby={error ? 'instance-hint instance-error' : 'instance-hint'}
            aria-invalid={error ? 'true' : undefined}
            required
          />
        </div>
        <button type="submit" class="primary">
          {t('mastodon.continue')}
        </button>
      </form>
    </Layout>
  );
}
