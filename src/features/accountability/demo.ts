/**
 * The accountability part of the #EyesOnChechnya demo, from the article only: who was asked, who denied, who raised
 * it, who stayed silent. The article gives no exact dates: every date here is marked approximate, placed by what the
 * article says ("over 100 days" of White House silence; the letter "earlier this week"), and the article is the source.
 */
import type { DemoContext } from '../../feature.ts';
import type { AskInput, StatementInput, TargetInput } from './model.ts';
import { insertAsk, insertStatement, insertTarget } from './queries.ts';

// The demo's own source is a news report on the campaign (see the campaign's story); the public record it draws on is
// summarised, with references, in this encyclopaedia article.
const ARTICLE = {
  publisher: 'Wikipedia: Anti-gay purges in Chechnya',
  url: 'https://en.wikipedia.org/wiki/Anti-gay_purges_in_Chechnya',
  publishedOn: null,
};

interface DemoTarget {
  target: TargetInput;
  asks: AskInput[];
  statements: StatementInput[];
}

const publicCall = (askedOn: string, summary: string): AskInput => ({ askedOn, dateApproximate: true, channel: 'public-call', summary, lang: 'en' });
const said = (statedOn: string, stance: StatementInput['stance'], answersAsk: boolean, quote: string, verbatim = false): StatementInput => ({
  statedOn,
  dateApproximate: true,
  stance,
  answersAsk,
  quote,
  verbatim,
  lang: 'en',
  sources: [ARTICLE],
});

const STOP_THE_PURGE = 'Stop the detention, torture and killing of gay men in Chechnya, and let those who escaped find safety.';

const TARGETS: DemoTarget[] = [
  {
    target: {
      kind: 'institution',
      country: 'RU',
      links: [],
      texts: {
        en: { name: 'Government of Chechnya', office: 'Head of the Chechen Republic and his government' },
        ru: { name: 'Правительство Чечни', office: 'Глава Чеченской Республики и его правительство' },
      },
    },
    asks: [publicCall('2017-04-03', STOP_THE_PURGE)],
    statements: [said('2017-04-03', 'denied', true, 'You can’t detain and harass someone who doesn’t exist in the republic.', true)],
  },
  {
    target: {
      kind: 'institution',
      country: 'RU',
      links: [],
      texts: { en: { name: 'The Kremlin', office: 'Office of the President of Russia' }, ru: { name: 'Кремль', office: 'Администрация президента России' } },
    },
    asks: [publicCall('2017-04-03', 'Investigate the reports from Chechnya and stop the purge.')],
    statements: [said('2017-04-05', 'no-knowledge', true, 'Denied any knowledge of a purge.')],
  },
  {
    target: {
      kind: 'institution',
      country: 'US',
      links: [],
      texts: { en: { name: 'The White House', office: 'President of the United States' }, ru: { name: 'Белый дом', office: 'Президент США' } },
    },
    asks: [
      publicCall('2017-04-05', 'Speak out against the purge in Chechnya.'),
      {
        askedOn: '2017-07-10',
        dateApproximate: true,
        channel: 'open-letter',
        summary:
          'Fifty-three members of Congress: “We urge you to assign to the appropriate agencies in your Administration, and work with our allies, to help find a safe refuge for the Chechens who have managed to escape this horrifying situation.”',
        lang: 'en',
      },
    ],
    statements: [],
  },
  {
    target: {
      kind: 'person',
      country: 'DE',
      links: [],
      texts: { en: { name: 'Angela Merkel', office: 'Chancellor of Germany' }, ru: { name: 'Ангела Меркель', office: 'Федеральный канцлер Германии' } },
    },
    asks: [publicCall('2017-04-10', 'Raise the purge in Chechnya with Vladimir Putin.')],
    statements: [said('2017-05-02', 'acted', true, 'Raised the issue publicly during a meeting with Vladimir Putin.')],
  },
  {
    target: {
      kind: 'person',
      country: 'FR',
      links: [],
      texts: { en: { name: 'Emmanuel Macron', office: 'President of France' }, ru: { name: 'Эмманюэль Макрон', office: 'Президент Франции' } },
    },
    asks: [publicCall('2017-05-15', 'Raise the purge in Chechnya with Vladimir Putin.')],
    statements: [said('2017-05-29', 'acted', true, 'Raised the issue publicly during a meeting with Vladimir Putin.')],
  },
  {
    target: {
      kind: 'institution',
      country: 'GB',
      links: [],
      texts: {
        en: { name: 'UK Government', office: 'Foreign and Commonwealth Office' },
        ru: { name: 'Правительство Великобритании', office: 'Министерство иностранных дел' },
      },
    },
    asks: [publicCall('2017-04-10', 'Press Russia to end the purge and help those who escaped.')],
    statements: [said('2017-04-20', 'concern', false, 'Expressed concern.')],
  },
];

export async function addDemoAccountability({ db, campaignId }: DemoContext): Promise<void> {
  const now = new Date().toISOString();
  for (const { target, asks, statements } of TARGETS) {
    const id = await insertTarget(db, campaignId, target, now);
    for (const ask of asks) await insertAsk(db, id, ask, now);
    for (const statement of statements) await insertStatement(db, id, statement, now);
  }
}
