/** Silence is computed from asks and statements, on the calendar: daylight-saving changes and time zones never shift it. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { addStrings, translator } from '../../web/i18n.ts';
import en from './locales/en.json' with { type: 'json' };
import ru from './locales/ru.json' with { type: 'json' };
import { type Ask, type Statement, standingOf, todayIn } from './model.ts';

addStrings({ en, ru });

let nextId = 1;
const ask = (askedOn: string): Ask => ({ id: nextId++, targetId: 1, askedOn, dateApproximate: false, channel: 'public-call', summary: 's', lang: 'en' });
const statement = (statedOn: string, answersAsk: boolean, stance: Statement['stance'] = 'denied'): Statement => ({
  id: nextId++,
  targetId: 1,
  statedOn,
  dateApproximate: false,
  stance,
  answersAsk,
  quote: 'q',
  verbatim: true,
  lang: 'en',
  sources: [],
});

describe('silence', () => {
  it('counts from the first unanswered ask; a later ask does not restart it', () => {
    const standing = standingOf([ask('2017-04-05'), ask('2017-07-10')], [], '2017-07-17');
    expect(standing).toMatchObject({ stance: null, silentSince: '2017-04-05', silentDays: 103, asks: 2 });
  });

  it('stops when an answer is recorded, and restarts from the next ask after it', () => {
    const asked = [ask('2017-04-03')];
    expect(standingOf(asked, [statement('2017-04-03', true)], '2017-07-17')).toMatchObject({
      stance: 'denied',
      silentDays: null,
      lastAnsweredOn: '2017-04-03',
    });
    const again = [...asked, ask('2017-06-01')];
    expect(standingOf(again, [statement('2017-04-03', true)], '2017-07-17')).toMatchObject({ silentSince: '2017-06-01', silentDays: 46 });
  });

  it('does not let a reply that does not answer the ask stop the silence, though it sets the stance', () => {
    const standing = standingOf([ask('2017-04-10')], [statement('2017-04-20', false, 'concern')], '2017-04-30');
    expect(standing).toMatchObject({ stance: 'concern', silentSince: '2017-04-10', silentDays: 20, lastAnsweredOn: null });
  });

  it('takes the latest statement as the stance, by date then by order of recording', () => {
    const standing = standingOf([], [statement('2017-05-02', true, 'acted'), statement('2017-04-01', true, 'denied')], '2017-06-01');
    expect(standing.stance).toBe('acted');
    expect(standing.silentDays).toBeNull();
  });

  it('counts calendar days, whatever the process time zone and across daylight-saving changes', () => {
    // Each time zone in a process of its own, started with only TZ set: a process reads its zone once, at start.
    const script = `import('./src/features/accountability/model.ts').then((m) => console.log(JSON.stringify([
      m.calendarDaysBetween('2017-03-10', '2017-03-13'),
      m.calendarDaysBetween('2017-03-25', '2017-03-27'),
      m.calendarDaysBetween('2017-10-28', '2017-11-06'),
      m.calendarDaysBetween('2017-04-05', '2018-04-05'),
    ])))`;
    for (const tz of ['UTC', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kathmandu']) {
      const output = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { env: { TZ: tz }, encoding: 'utf8' });
      // US clocks went forward on 2017-03-12 and back on 2017-11-05; the UK's on 2017-03-26 and 2017-10-29.
      expect(JSON.parse(output), tz).toEqual([3, 2, 9, 365]);
    }
  });

  it('takes today from the configured zone, with an injected clock', () => {
    // 03:30 UTC on 13 March 2017: still the 12th in New York (just after its clocks went forward), the 13th in Moscow.
    const now = new Date('2017-03-13T03:30:00Z');
    expect(todayIn('America/New_York', now)).toBe('2017-03-12');
    expect(todayIn('Europe/Moscow', now)).toBe('2017-03-13');
    expect(standingOf([ask('2017-03-10')], [], todayIn('America/New_York', now)).silentDays).toBe(2);
    expect(standingOf([ask('2017-03-10')], [], todayIn('Europe/Moscow', now)).silentDays).toBe(3);
  });

  it('says it in Russian plural forms', () => {
    const t = translator('ru');
    expect(t('accountability.silentDays', { count: 1, formatted: '1' })).toBe('Молчит 1 день');
    expect(t('accountability.silentDays', { count: 3, formatted: '3' })).toBe('Молчит 3 дня');
    expect(t('accountability.silentDays', { count: 11, formatted: '11' })).toBe('Молчит 11 дней');
    expect(t('accountability.silentDays', { count: 21, formatted: '21' })).toBe('Молчит 21 день');
    expect(t('accountability.silentDays', { count: 103, formatted: '103' })).toBe('Молчит 103 дня');
    expect(t('accountability.silentDays', { count: 105, formatted: '105' })).toBe('Молчит 105 дней');
    expect(translator('en')('accountability.silentDays', { count: 1, formatted: '1' })).toBe('Silent for 1 day');
  });
});
