/**
 * Facts, sources and incidents as the service, the pages and the ledger see them. Each kind has an input (what an
 * organiser enters), a state (what a revision records: the input, the id and the links) and the record (the state
 * with its bookkeeping). A revision's data is exactly the state, so what is hashed never picks up a new column by
 * accident: `factState`, `sourceState` and `incidentState` name every field.
 */
import type { EvidenceEntity, FactStatus, FigureQualifier, Stance, StatementRelation } from '../../db/schema.ts';

export const FACT_STATUSES: readonly FactStatus[] = ['reported', 'corroborated', 'disputed', 'denied', 'retracted'];
export const FIGURE_QUALIFIERS: readonly FigureQualifier[] = ['exact', 'at-least', 'more-than', 'about', 'up-to'];
export const STATEMENT_RELATIONS: readonly StatementRelation[] = ['confirms', 'denies'];
export const COUNT_KINDS = ['detained', 'tortured', 'killed', 'disappeared', 'released'] as const;
export const ENTITIES: readonly EvidenceEntity[] = ['fact', 'source', 'incident'];

export type CountKind = (typeof COUNT_KINDS)[number];
/** Counts by kind; null is "not known", which is not zero. */
export type Counts = Record<CountKind, number | null>;

export interface Figure {
  value: number;
  /** What is counted, in words ("people", "men"). */
  unit: string;
  qualifier: FigureQualifier;
}

export interface FactInput {
  /** The language the claim is written in (en, ru…). */
  lang: string;
  claim: string;
  figure: Figure | null;
  status: FactStatus;
  firstReportedOn: string;
  firstReportedApproximate: boolean;
  public: boolean;
}

export interface SourceInput {
  publisher: string;
  title: string;
  url: string;
  publishedOn: string | null;
  publishedApproximate: boolean;
  /** The passage that reports the fact, in its own language; may be empty. */
  quote: string;
  lang: string;
  public: boolean;
}

export interface IncidentInput {
  startsOn: string;
  endsOn: string | null;
  approximate: boolean;
  /** A coarse region in words, never an address or a village. */
  region: string;
  counts: Counts;
  description: string;
  lang: string;
  public: boolean;
}

/** A statement of a target (accountability) that confirms or denies a fact, as it was when linked. */
export interface StatementLink {
  statementId: number;
  relation: StatementRelation;
  targetId: number;
  targetName: string;
  stance: Stance;
  statedOn: string;
  quote: string;
  lang: string;
}

export interface FactState extends FactInput {
  id: number;
  sourceIds: number[];
  statements: StatementLink[];
}

/** A copy of a source the server keeps, as the source's revisions record it (see captures.ts). */
export interface CaptureRef {
  id: number;
  kind: 'fetched' | 'uploaded';
  /** Hex SHA-256 of the stored file. */
  sha256: string;
  capturedAt: string;
}

export interface SourceState extends SourceInput {
  id: number;
  /** Its stored copies, oldest first; absent while there are none, so a source's data is unchanged until the first. */
  captures?: CaptureRef[];
}

export interface IncidentState extends IncidentInput {
  id: number;
  factIds: number[];
  sourceIds: number[];
}

interface Bookkeeping {
  campaignId: number;
  /** The number of the latest revision. */
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface Fact extends FactState, Bookkeeping {}
export interface Source extends SourceState, Bookkeeping {}
export interface Incident extends IncidentState, Bookkeeping {}

export type EntityState = FactState | SourceState | IncidentState;

export function factState(fact: FactState): FactState {
  return {
    id: fact.id,
    lang: fact.lang,
    claim: fact.claim,
    figure: fact.figure && { value: fact.figure.value, unit: fact.figure.unit, qualifier: fact.figure.qualifier },
    status: fact.status,
    firstReportedOn: fact.firstReportedOn,
    firstReportedApproximate: fact.firstReportedApproximate,
    public: fact.public,
    sourceIds: [...fact.sourceIds].sort((a, b) => a - b),
    statements: [...fact.statements]
      .sort((a, b) => a.statementId - b.statementId)
      .map((s) => ({
        statementId: s.statementId,
        relation: s.relation,
        targetId: s.targetId,
        targetName: s.targetName,
        stance: s.stance,
        statedOn: s.statedOn,
        quote: s.quote,
        lang: s.lang,
      })),
  };
}

export function sourceState(source: SourceState): SourceState {
  return {
    id: source.id,
    publisher: source.publisher,
    title: source.title,
    url: source.url,
    publishedOn: source.publishedOn,
    publishedApproximate: source.publishedApproximate,
    quote: source.quote,
    lang: source.lang,
    public: source.public,
    ...(source.captures && source.captures.length > 0
      ? { captures: [...source.captures].sort((a, b) => a.id - b.id).map((c) => ({ id: c.id, kind: c.kind, sha256: c.sha256, capturedAt: c.capturedAt })) }
      : {}),
  };
}

export function incidentState(incident: IncidentState): IncidentState {
  return {
    id: incident.id,
    startsOn: incident.startsOn,
    endsOn: incident.endsOn,
    approximate: incident.approximate,
    region: incident.region,
    counts: Object.fromEntries(COUNT_KINDS.map((kind) => [kind, incident.counts[kind]])) as Counts,
    description: incident.description,
    lang: incident.lang,
    public: incident.public,
    factIds: [...incident.factIds].sort((a, b) => a - b),
    sourceIds: [...incident.sourceIds].sort((a, b) => a - b),
  };
}

/** A revision as the pages list it: its place in the chain, and its data when that is public. */
export interface RevisionSummary {
  seq: number;
  entity: EvidenceEntity;
  entityId: number;
  version: number;
  public: boolean;
  authorId: number | null;
  at: string;
  hash: string;
  dataHash: string;
  /** The entity's state in this version, when it may be shown (see isPublished in ledger.ts); else null. */
  data: EntityState | null;
}

/** A public fact with what the public page shows beside it. */
export interface PublicFact {
  fact: Fact;
  /** Its public sources. */
  sources: Source[];
  /** The statements that confirm or deny it, denials included: they stand beside the fact, never replace it. */
  statements: StatementLink[];
  /** Its revisions, oldest first. */
  history: RevisionSummary[];
}

/** One kind's count over a set of incidents: the sum of the known counts, and how many incidents did not know. */
export interface CountTotal {
  total: number;
  known: number;
  unknown: number;
}

export type IncidentTotals = Record<CountKind, CountTotal>;

/** Adds up the counts of `incidents` kind by kind; an unknown count is not taken as zero but counted apart. */
export function totalCounts(incidents: readonly Pick<IncidentInput, 'counts'>[]): IncidentTotals {
  const totals = Object.fromEntries(COUNT_KINDS.map((kind) => [kind, { total: 0, known: 0, unknown: 0 }])) as IncidentTotals;
  for (const incident of incidents) {
    for (const kind of COUNT_KINDS) {
      const value = incident.counts[kind];
      if (value === null) totals[kind].unknown += 1;
      else {
        totals[kind].total += value;
        totals[kind].known += 1;
      }
    }
  }
  return totals;
}
