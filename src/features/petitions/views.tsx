import { localeHref, type PageContext } from '../../web/context.ts';
import type { FieldErrors } from '../../errors.ts';
import { ErrorSummary, TextField, valueOf, type FormValues } from '../../web/fields.tsx';
import { formatDate, formatNumber } from '../../web/i18n.ts';
import { renderMarkdown } from '../../web/markdown.ts';
import { countryName, countryOptions } from '../../web/countries.ts';
import type { PageTokens } from '../campaigns/index.ts';
import type { PetitionCount } from './counting/count-board.ts';
import { liveCountAttributes } from './counting/live-count.ts';
import { petitionTextFor, type Petition } from './model.ts';
import { POW_BITS } from './signing/proof-of-work.ts';
import type { MilestoneReached, RecentSigner } from './queries.ts';

export interface PetitionSectionProps {
  ctx: PageContext;
  slug: string;
  petition: Petition;
  fallbackLocales: PageContext['locale'][];
  count: PetitionCount;
  milestones: MilestoneReached[];
  recent: RecentSigner[];
  tokens: PageTokens;
  values?: FormValues;
  errors?: FieldErrors;
  /** The proof-of-work kill switch is on: the form carries a puzzle for the browser to solve. */
  requireProofOfWork?: boolean;
}

export function PetitionSection(props: PetitionSectionProps) {
  const { ctx, petition, count, slug } = props;
  const { t, locale } = ctx;
  const { text, locale: textLocale } = petitionTextFor(petition, locale, props.fallbackLocales);
  const contentLang = textLocale === locale ? undefined : textLocale;
  const percent = Math.min(100, Math.round((count.total / Math.max(1, petition.goal)) * 100));
  return (
    <section
      class="petition"
      aria-labelledby={`petition-${petition.id}`}
      data-count-url={`/c/${slug}/count.json`}
      data-events-url={`/c/${slug}/events`}
      data-petition={petition.id}
    >
      <h2 id={`petition-${petition.id}`} lang={contentLang}>
        {text.title}
      </h2>
      <p class="target" lang={contentLang}>
        {t('petitions.to', { target: text.target })}
      </p>
      <div class="petition-count" {...liveCountAttributes(ctx)}>
        <CountLine ctx={ctx} total={count.total} />
        <label for={`progress-${petition.id}`} class="visually-hidden">
          {t('petitions.progressLabel')}
        </label>
        <progress id={`progress-${petition.id}`} max={petition.goal} value={Math.min(count.total, petition.goal)}>{`${percent}%`}</progress>
        <p class="goal">{t('petitions.progress', { count: formatNumber(locale, count.total), goal: formatNumber(locale, petition.goal) })}</p>
      </div>
      <div class="story" lang={contentLang} dangerouslySetInnerHTML={{ __html: renderMarkdown(text.bodyMd) }} />
      {props.milestones.length > 0 ? (
        <div class="milestones">
          <h3>{t('petitions.milestones')}</h3>
          <ul>
            {props.milestones.map((m) => (
              <li>
                {t('petitions.milestoneReached', {
                  milestone: formatNumber(locale, m.milestone),
                  date: formatDate(locale, m.reachedAt, { dateStyle: 'long' }),
                })}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {petition.status === 'open' ? <SignForm {...props} /> : <p class="notice">{t('petitions.closed')}</p>}
      {props.recent.length > 0 ? (
        <div class="recent-signers">
          <h3>{t('petitions.recent')}</h3>
          <ul>
            {props.recent.map((signer) => (
              <li>{t('petitions.recentSigner', { name: signer.name, country: countryName(locale, signer.country) })}</li>
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  );
}

/** "12,345 people have signed", with the number wrapped so the live counter can update it, in each language's word order. */
function CountLine({ ctx, total }: { ctx: PageContext; total: number }) {
  const [before = '', after = ''] = ctx.t('petitions.signatures', { count: total, formatted: '\u0000' }).split('\u0000');
  return (
    <p class="count-line">
      {before}
      <span class="count-number" data-count={total}>
        {formatNumber(ctx.locale, total)}
      </span>
      {after}
    </p>
  );
}

function SignForm({ ctx, slug, petition, tokens, values = {}, errors = {}, requireProofOfWork = false }: PetitionSectionProps) {
  const { t, locale } = ctx;
  const f = (key: string) => t(`petitions.form.${key}`);
  const labels = { name: f('name'), email: f('email'), country: f('country'), postcode: f('postcode'), consent: f('consent'), pow: f('pow') };
  const chosenCountry = valueOf(values, 'country').toUpperCase();
  return (
    <form
      method="post"
      action={localeHref(ctx, `/c/${slug}/sign`)}
      class="stacked sign-form"
      novalidate
      data-stamp-url={`/c/${slug}/form-stamp`}
      data-pow-bits={requireProofOfWork ? String(POW_BITS) : undefined}
    >
      <h3>{t('petitions.heading')}</h3>
      <ErrorSummary ctx={ctx} errors={errors} labels={labels} />
      {/* No CSRF token: the page is the same for everyone (see the sign route); the stamp is this copy's. */}
      <input type="hidden" name="ts" value={tokens.stamp} />
      <input type="hidden" name="ref" value={tokens.ref} />
      <input type="hidden" name="petition" value={String(petition.id)} />
      {requireProofOfWork ? <input type="hidden" name="pow" value="" /> : null}
      {requireProofOfWork ? (
        <p class="notice" id="pow" data-pow-status data-working={f('powWorking')} data-done={f('powDone')} role="status">
          {t(errors['pow'] ?? 'petitions.form.powNotice')}
        </p>
      ) : null}
      <TextField ctx={ctx} name="name" label={labels.name} errors={errors} values={values} required maxLength={100} autocomplete="name" />
      <TextField
        ctx={ctx}
        name="email"
        type="email"
        label={labels.email}
        hint={f('emailHint')}
        errors={errors}
        values={values}
        required
        maxLength={254}
        autocomplete="email"
      />
      <div class="field">
        <label for="country">{labels.country}</label>
        {errors['country'] ? (
          <p class="error" id="country-error">
            {t(errors['country'])}
          </p>
        ) : null}
        <select
          id="country"
          name="country"
          required
          autocomplete="country"
          aria-invalid={errors['country'] ? 'true' : undefined}
          aria-describedby={errors['country'] ? 'country-error' : undefined}
        >
          <option value="">{f('chooseCountry')}</option>
          {countryOptions(locale).map((c) => (
            <option value={c.code} selected={c.code === chosenCountry}>
              {c.name}
            </option>
          ))}
        </select>
      </div>
      <TextField ctx={ctx} name="postcode" label={labels.postcode} errors={errors} values={values} maxLength={20} autocomplete="postal-code" />
      <div class="field honeypot" aria-hidden="true">
        <label for="website">{f('honeypot')}</label>
        <input type="text" id="website" name="website" tabIndex={-1} autocomplete="off" />
      </div>
      <div class="field">
        {errors['consent'] ? (
          <p class="error" id="consent-error">
            {t(errors['consent'])}
          </p>
        ) : null}
        <div class="checkbox">
          <input
            type="checkbox"
            id="consent"
            name="consent"
            value="1"
            required
            checked={valueOf(values, 'consent') !== ''}
            aria-invalid={errors['consent'] ? 'true' : undefined}
            aria-describedby={errors['consent'] ? 'consent-error' : undefined}
          />
          <label for="consent">{labels.consent}</label>
        </div>
        <div class="checkbox">
          <input type="checkbox" id="updates" name="updates" value="1" checked={valueOf(values, 'updates') !== ''} />
          <label for="updates">{f('updates')}</label>
        </div>
        <div class="checkbox">
          <input type="checkbox" id="show_name" name="show_name" value="1" checked={valueOf(values, 'show_name') !== ''} />
          <label for="show_name">{f('showName')}</label>
        </div>
      </div>
      <p class="hint">{f('privacy')}</p>
      <button type="submit" class="primary">
        {f('submit')}
      </button>
    </form>
  );
}
