/** The petitions' part of the #EyesOnChechnya demo: the petition to the White House (see features/demo). */
import type { DemoContext } from '../../feature.ts';
import type { PetitionInput } from './model.ts';
import { createPetition } from './service.ts';

/** The demo petition to the White House, in the words of the article's calls for action. */
export const WHITE_HOUSE_PETITION: PetitionInput = {
  goal: 100_000,
  milestones: [1_000, 10_000, 50_000, 100_000],
  texts: {
    en: {
      title: 'Mr President: end your silence on Chechnya',
      target: 'The White House',
      bodyMd: `More than 100 days after the first revelations, the White House remains silent.

We call on the President to speak out against the detention, torture and killing of gay men in Chechnya, and, in the words
of fifty-three members of Congress, to "assign to the appropriate agencies in your Administration, and work with our allies,
to help find a safe refuge for the Chechens who have managed to escape this horrifying situation".`,
    },
    ru: {
      title: 'Господин президент, нарушьте молчание о Чечне',
      target: 'Белый дом',
      bodyMd: `Прошло больше 100 дней с первых публикаций, а Белый дом по-прежнему молчит.

Мы призываем президента осудить задержания, пытки и убийства геев в Чечне и, словами пятидесяти трёх членов Конгресса,
«поручить соответствующим ведомствам администрации и союзникам помочь найти безопасное убежище для чеченцев, которым удалось
вырваться из этого кошмара».`,
    },
  },
};

export async function addDemoPetition({ db, campaignId }: DemoContext): Promise<void> {
  await createPetition(db, { userId: null, campaignId, input: WHITE_HOUSE_PETITION });
}
