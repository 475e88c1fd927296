/**
 * A public letter as JSON, close to OSDI's advocacy campaign: identifiers, title, description, targets, and the
 * count of its outreaches — here the verified signatories, with the reported count kept apart beside its source.
 */
import { type Target, targetText } from '../accountability/index.ts';
import type { PublicLetter } from './model.ts';

export function letterJson(entry: PublicLetter, targets: readonly Target[], browserUrl: string) {
  const { letter, signatories } = entry;
  return {
    identifiers: [`outcry:letter-${letter.id}`],
    origin_system: 'Outcry',
    browser_url: browserUrl,
    type: 'letter',
    title: letter.title,
    description: letter.bodyMd,
    lang: letter.lang,
    status: letter.state,
    date: letter.datedOn,
    date_approximate: letter.dateApproximate,
    delivered_date: letter.state === 'delivered' ? letter.deliveredOn : null,
    delivered_date_approximate: letter.deliveredApproximate,
    targets: targets
      .filter((target) => letter.targetIds.includes(target.id))
      .map((target) => ({ identifiers: [`outcry:target-${target.id}`], name: targetText(target, 'en').name, title: targetText(target, 'en').office })),
    total_signatures: signatories.length,
    signatures: signatories.map((s) => ({
      identifiers: [`outcry:letter-signatory-${s.id}`],
      name: s.name,
      title: s.title,
      affiliation: s.affiliation,
      category: s.category,
      signed_date: s.signedOn,
    })),
    reported_signatures: letter.reported ? { total: letter.reported.count, source: { publisher: letter.reported.publisher, url: letter.reported.url } } : null,
    response: letter.responseText || letter.responseUrl ? { text: letter.responseText, url: letter.responseUrl || null } : null,
  };
}
