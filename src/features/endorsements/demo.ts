/**
 * The endorsements' part of the #EyesOnChechnya demo: the five public figures the 2017 news report names
 * (shared/context/eyes-on-chechnya-article.txt), with only what it says of them. It quotes RuPaul alone; it names
 * Twitter only for RuPaul, Rita Ora and Lena Dunham; it gives no links. It dates none of them: RuPaul wrote "over 100
 * days" after April's revelations, so every date is July 2017, marked approximate.
 */
import type { DemoContext } from '../../feature.ts';
import type { EndorsementInput } from './model.ts';
import { createEndorsement } from './service.ts';

const EVIDENCE = 'Reported in the 2017 news report "RuPaul, Rita Ora and Lena Dunham among celebrities to back Chechnya campaign".';

function reported(name: string, details: Partial<EndorsementInput>): EndorsementInput {
  return {
    name,
    description: '',
    quote: '',
    platform: '',
    url: '',
    lang: 'en',
    date: '2017-07-01',
    dateApproximate: true,
    status: 'verified',
    evidenceUrl: '',
    evidenceNote: EVIDENCE,
    featured: false,
    ...details,
  };
}

export const DEMO_ENDORSEMENTS: readonly EndorsementInput[] = [
  reported('RuPaul', {
    // The report splits the post around "wrote Ru Paul"; its two sentences, joined.
    quote: 'Over 100 days we’ve known about gays targeted in Chechnya. The White House remains silent.',
    platform: 'Twitter',
    featured: true,
  }),
  reported('Rita Ora', { platform: 'Twitter', featured: true }),
  reported('Lena Dunham', { platform: 'Twitter', featured: true }),
  reported('Nev Schulman', { description: 'host of Catfish' }),
  reported('Mara Wilson', { description: 'Matilda actress and author' }),
];

export async function addDemoEndorsements({ db, campaignId }: DemoContext): Promise<void> {
  for (const input of DEMO_ENDORSEMENTS) await createEndorsement(db, { userId: null, campaignId, input });
}
