/**
 * The demo campaign, built from the 2017 news report in shared/context/eyes-on-chechnya-article.txt.
 * The report says the revelations came "back in April" 2017 without a day, so the start date is marked approximate.
 */
import type { CampaignInput } from '../campaigns/index.ts';

const STORY_EN = `Revelations first published in 2017 showed that **more than 100 people** had been detained and tortured in the Russian
republic of Chechnya because they were believed to be gay, and that **at least 26** had been killed.

Russian opposition newspaper *Novaya Gazeta* broke the news in April 2017, reporting that men were being held in secret,
concentration-camp-style prisons where they faced torture and abuse. One man released from such a prison told the newspaper
that he was subjected to violent "interrogations" as officials tried to make him confess the names and locations of other gay men.

## What the authorities said

> "You can't detain and harass someone who doesn't exist in the republic."
> — a Chechen government spokesperson, denying that there are any gay people in Chechnya to detain

The Kremlin denied any knowledge of a purge. Elena Milashina, the journalist who broke the story, was forced into hiding.

## Who has spoken up

- MTV launched the campaign to "raise the volume on the public outcry, and let the world know we have our #EyesOnChechnya".
- RuPaul, Rita Ora and Lena Dunham backed it publicly; Nev Schulman and Mara Wilson endorsed its calls for action.
- Fifty-three members of the US Congress wrote to the President that "the lives of hundreds of Chechens are at stake", urging the
  administration to "help find a safe refuge for the Chechens who have managed to escape this horrifying situation".
- Angela Merkel and Emmanuel Macron raised the abuses with Vladimir Putin; the UK government expressed concern.

## Who has stayed silent

"Over 100 days we've known about gays targeted in Chechnya," RuPaul wrote. "The White House remains silent."
Dozens of politicians have urged the President to end his silence. He has yet to issue a statement.

## What we ask

Keep your eyes on Chechnya. Share this page with the hashtag, and ask your representatives to help people who have escaped
find a safe refuge.

*Source: news report on the #EyesOnChechnya campaign, 2017. Dates the report does not give exactly are marked approximate.*
`;

const STORY_RU = `Материалы, впервые опубликованные в 2017 году, показали, что в Чеченской Республике **более 100 человек** были задержаны
и подвергнуты пыткам, потому что их считали геями, и что **не менее 26** из них были убиты.

Российская оппозиционная газета «Новая газета» сообщила об этом в апреле 2017 года: мужчин держали в секретных тюрьмах,
похожих на концлагеря, где их пытали и избивали. Один из освобождённых рассказал газете о жестоких «допросах»: от него
добивались имён и адресов других геев.

## Что сказали власти

> «Нельзя задержать и преследовать того, кого в республике просто нет».
> — представитель властей Чечни, отрицая, что в Чечне вообще есть геи, которых можно задержать

Кремль заявил, что ничего не знает о преследованиях. Елена Милашина, журналистка, раскрывшая эту историю, была вынуждена скрываться.

## Кто высказался

- MTV начал кампанию, чтобы «сделать общественный протест громче и показать миру, что мы не сводим глаз с Чечни» — #EyesOnChechnya.
- Публично её поддержали RuPaul, Рита Ора и Лена Данэм; к призывам присоединились Нев Шульман и Мара Уилсон.
- Пятьдесят три члена Конгресса США написали президенту, что «на кону жизни сотен чеченцев», и призвали администрацию
  «помочь найти безопасное убежище для чеченцев, которым удалось вырваться из этого кошмара».
- Ангела Меркель и Эмманюэль Макрон поднимали этот вопрос на встречах с Владимиром Путиным; правительство Великобритании выразило обеспокоенность.

## Кто молчит

«Уже больше 100 дней мы знаем о преследовании геев в Чечне, — написал RuPaul. — Белый дом молчит».
Десятки политиков призывали президента нарушить молчание. Заявления он так и не сделал.

## О чём мы просим

Не сводите глаз с Чечни. Поделитесь этой страницей с хештегом и попросите своих представителей помочь тем, кто спасся,
найти безопасное убежище.

*Источник: новостной материал о кампании #EyesOnChechnya, 2017 год. Даты, которые в материале не указаны точно, отмечены как приблизительные.*
`;

export const EYES_ON_CHECHNYA: CampaignInput = {
  slug: 'eyes-on-chechnya',
  hashtag: 'EyesOnChechnya',
  goal: 100_000,
  startDate: '2017-04-01',
  startDateApproximate: true,
  locales: ['en', 'ru'],
  featured: true,
  texts: {
    en: {
      title: 'End the purge in Chechnya',
      summary: 'More than 100 people detained and tortured, at least 26 killed. Raise the volume on the public outcry: we have our #EyesOnChechnya.',
      storyMd: STORY_EN,
      counterLabel: 'since the first revelations',
    },
    ru: {
      title: 'Остановите преследования в Чечне',
      summary: 'Более 100 человек задержаны и подвергнуты пыткам, не менее 26 убиты. Сделаем протест громче: мы не сводим глаз с Чечни — #EyesOnChechnya.',
      storyMd: STORY_RU,
      counterLabel: 'с первых публикаций',
    },
  },
};
