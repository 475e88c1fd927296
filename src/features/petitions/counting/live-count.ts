/**
 * What the live counter script needs to rewrite a count in the page's own language: the "N people have signed" line
 * in each plural form the language uses for whole numbers, and the "N of GOAL signatures" line, with `{count}` and
 * `{goal}` where the numbers go. Rendered as data attributes on the count block; the script fills in the numbers.
 */
import type { PageContext } from '../../../web/context.ts';

export const COUNT_SLOT = '{count}';
export const GOAL_SLOT = '{goal}';

export interface LiveCountAttributes {
  'data-count-forms': string;
  'data-progress-template': string;
}

const cache = new Map<string, LiveCountAttributes>();

export function liveCountAttributes(ctx: Pick<PageContext, 'locale' | 't'>): LiveCountAttributes {
  const cached = cache.get(ctx.locale);
  if (cached) return cached;
  const rules = new Intl.PluralRules(ctx.locale);
  const forms: Record<string, string> = {};
  for (let n = 0; n <= 200; n += 1) {
    const category = rules.select(n);
    forms[category] ??= ctx.t('petitions.signatures', { count: n, formatted: COUNT_SLOT });
  }
  const attributes: LiveCountAttributes = {
    'data-count-forms': JSON.stringify(forms),
    'data-progress-template': ctx.t('petitions.progress', { count: COUNT_SLOT, goal: GOAL_SLOT }),
  };
  cache.set(ctx.locale, attributes);
  return attributes;
}
