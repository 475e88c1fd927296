/** Valid inputs for the evidence tests, from the #EyesOnChechnya reporting, each overridable. */
import type { FactInput, IncidentInput, SourceInput } from './model.ts';

/** The tests' clock: dates after it are in the future. */
export const TEST_NOW = Date.parse('2026-12-01T12:00:00Z');
export const testClock = { now: () => TEST_NOW };

export function factInput(overrides: Partial<FactInput> = {}): FactInput {
  return {
    lang: 'en',
    claim: 'More than 100 men were detained and tortured in Chechnya.',
    figure: { value: 100, unit: 'people', qualifier: 'more-than' },
    status: 'reported',
    firstReportedOn: '2017-04-01',
    firstReportedApproximate: false,
    public: false,
    ...overrides,
  };
}

export function sourceInput(overrides: Partial<SourceInput> = {}): SourceInput {
  return {
    publisher: 'Novaya Gazeta',
    title: 'Honour killing',
    url: 'https://novayagazeta.ru/articles/2017/04/01/71983-ubiystvo-chesti',
    publishedOn: '2017-04-01',
    publishedApproximate: false,
    quote: 'Более ста мужчин задержаны.',
    lang: 'ru',
    public: true,
    ...overrides,
  };
}

export function incidentInput(overrides: Partial<IncidentInput> = {}): IncidentInput {
  return {
    startsOn: '2017-02-20',
    endsOn: '2017-04-01',
    approximate: true,
    region: 'Chechnya',
    counts: { detained: 100, tortured: 100, killed: 3, disappeared: null, released: null },
    description: 'Detentions in unofficial prisons.',
    lang: 'en',
    public: false,
    ...overrides,
  };
}
