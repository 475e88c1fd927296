/**
 * The letters part of the #EyesOnChechnya demo, from the article only: the letter fifty-three members of Congress
 * wrote to the President, with the two sentences the article quotes. The campaign never held its list of signers, so
 * the demo names none: it records the reported number, with the source the accountability demo uses.
 */
import type { DemoContext } from '../../feature.ts';
import { listTargetsOfCampaign } from '../accountability/index.ts';
import type { LetterInput } from './model.ts';
import { insertLetter } from './queries.ts';

const CONGRESS_LETTER: Omit<LetterInput, 'targetIds'> = {
  title: 'Letter of 53 members of Congress to the President',
  bodyMd: [
    '> … the lives of hundreds of Chechens are at stake.',
    '',
    '> We urge you to assign to the appropriate agencies in your Administration, and work with our allies, to help find a safe refuge for the Chechens who have managed to escape this horrifying situation.',
    '',
    '*Excerpt, as quoted in the press. The campaign does not hold the full text or the list of signatories.*',
  ].join('\n'),
  lang: 'en',
  state: 'delivered',
  // The article says "earlier this week"; the date is placed as the accountability demo places the same letter.
  datedOn: '2017-07-10',
  dateApproximate: true,
  deliveredOn: '2017-07-10',
  deliveredApproximate: true,
  reported: { count: 53, publisher: 'Wikipedia: Anti-gay purges in Chechnya', url: 'https://en.wikipedia.org/wiki/Anti-gay_purges_in_Chechnya' },
  responseText: '',
  responseUrl: '',
};

export async function addDemoLetters({ db, campaignId }: DemoContext): Promise<void> {
  const whiteHouse = (await listTargetsOfCampaign(db, campaignId)).find((target) => target.texts.en?.name === 'The White House');
  const targetIds = whiteHouse ? [whiteHouse.id] : [];
  await insertLetter(db, campaignId, { ...CONGRESS_LETTER, targetIds }, new Date().toISOString());
}
