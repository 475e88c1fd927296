/**
 * The evidence part of the #EyesOnChechnya demo, from the news report only (shared/context/eyes-on-chechnya-article.txt):
 * its two figures, the secret prisons and a released man's account, each first reported by Novaya Gazeta "back in
 * April" 2017 (no day given: the 1st, marked approximate), the two figures beside the denials accountability's demo
 * records. The report names Novaya Gazeta but gives no address for it, and a source needs one: the passages are cited
 * as accountability's demo cites the report (see its demo.ts), with Novaya Gazeta named in the passage itself.
 */
import type { DemoContext } from '../../feature.ts';
import { listStatementsOfCampaign, targetText } from '../accountability/index.ts';
import type { FactInput, SourceInput } from './model.ts';
import { createFact, createIncident, createSource, linkFactStatement, type Actor } from './service.ts';

// The same citation as accountability's and letters' demo parts: the public record the news report draws on.
const CITATION = {
  publisher: 'Wikipedia: Anti-gay purges in Chechnya',
  title: 'Anti-gay purges in Chechnya',
  url: 'https://en.wikipedia.org/wiki/Anti-gay_purges_in_Chechnya',
};

const passage = (quote: string): SourceInput => ({
  ...CITATION,
  publishedOn: null,
  publishedApproximate: false,
  quote,
  lang: 'en',
  public: true,
});

const FIGURES = passage(
  'Revelations first published earlier this year show more than 100 people have been detained, tortured, and, in at least 26 cases, killed in the Russian republic.',
);
const PRISONS = passage(
  'Russian opposition newspaper Novaya Gazeta broke the news of the atrocities back in April, adding that men are being held in secret concentration camp-style prisons where they face torture and abuse.',
);
const INTERROGATIONS = passage(
  'One man who was released from the camp also told the newspaper that he was subjected to violent “interrogations”, as Chechen officials attempted to get him to confess the names and locations of more gay men.',
);

const APRIL_2017 = { firstReportedOn: '2017-04-01', firstReportedApproximate: true } as const;

const fact = (claim: string, rest: Pick<FactInput, 'figure' | 'status'>): FactInput => ({ lang: 'en', claim, ...rest, ...APRIL_2017, public: true });

export async function addDemoEvidence({ db, database, campaignId }: DemoContext): Promise<void> {
  const actor: Actor = { userId: null };
  const source = (input: SourceInput) => createSource(database, { ...actor, campaignId, input });
  const [figures, prisons, interrogations] = [await source(FIGURES), await source(PRISONS), await source(INTERROGATIONS)];

  const detained = await createFact(database, {
    ...actor,
    campaignId,
    input: fact('More than 100 people have been detained and tortured in Chechnya.', {
      figure: { value: 100, unit: 'people detained', qualifier: 'more-than' },
      status: 'denied',
    }),
    sourceIds: [figures, prisons],
  });
  const killed = await createFact(database, {
    ...actor,
    campaignId,
    input: fact('At least 26 of them have been killed.', { figure: { value: 26, unit: 'people killed', qualifier: 'at-least' }, status: 'denied' }),
    sourceIds: [figures],
  });
  await createFact(database, {
    ...actor,
    campaignId,
    input: fact('Men are being held in secret, concentration camp-style prisons where they face torture and abuse.', { figure: null, status: 'reported' }),
    sourceIds: [prisons],
  });
  await createFact(database, {
    ...actor,
    campaignId,
    input: fact(
      'A man released from such a prison was subjected to violent “interrogations” as Chechen officials tried to make him confess the names and locations of more gay men.',
      { figure: null, status: 'reported' },
    ),
    sourceIds: [interrogations],
  });

  // The denials accountability's demo recorded: the Chechen government's, and the Kremlin's "no knowledge".
  const statements = await listStatementsOfCampaign(db, campaignId);
  const denials = statements.filter(
    ({ statement, target }) =>
      (targetText(target, 'en').name === 'Government of Chechnya' && statement.stance === 'denied') ||
      (targetText(target, 'en').name === 'The Kremlin' && statement.stance === 'no-knowledge'),
  );
  for (const factId of [detained, killed]) {
    for (const { statement } of denials) await linkFactStatement(database, { ...actor, factId, statementId: statement.id, relation: 'denies' });
  }

  // The report gives "more than 100" and "at least 26", not counts: an incident's counts are exact numbers, so they are
  // left unknown and the incident points to the two facts that carry the figures with their qualifiers.
  await createIncident(database, {
    ...actor,
    campaignId,
    input: {
      startsOn: '2017-04-01',
      endsOn: null,
      approximate: true,
      region: 'Chechnya',
      counts: { detained: null, tortured: null, killed: null, disappeared: null, released: null },
      description:
        'Detention, torture and killing of men believed to be gay, first reported by Novaya Gazeta in April 2017. The report gives no exact counts: see the linked facts for its figures.',
      lang: 'en',
      public: true,
    },
    factIds: [detained, killed],
    sourceIds: [figures, prisons],
  });
}
