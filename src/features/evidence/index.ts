/**
 * Evidence: facts with their sources and status, incidents with coarse regions and counts, the statements of targets
 * that confirm or deny them, and a tamper-evident history: every change is a revision appended to the campaign's hash
 * chain, which `outcry evidence verify` checks, and which organisers export, sign on their own machine and publish
 * for anyone to check with the public key alone.
 */
import type { Feature } from '../../feature.ts';
import { addEvidenceCommands } from './cli.ts';
import en from './locales/en.json' with { type: 'json' };
import ru from './locales/ru.json' with { type: 'json' };
import { registerEvidenceRoutes } from './routes.ts';

export const evidence: Feature = {
  name: 'evidence',
  needs: ['audit', 'campaigns', 'accountability'],
  locales: { en, ru },
  register: registerEvidenceRoutes,
  cli: addEvidenceCommands,
};

export type { Fact, FactInput, Incident, IncidentInput, IncidentTotals, PublicFact, RevisionSummary, Source, SourceInput, StatementLink } from './model.ts';
export { COUNT_KINDS, FACT_STATUSES, FIGURE_QUALIFIERS, STATEMENT_RELATIONS, totalCounts } from './model.ts';
export { LIMITS, parseFactForm, parseIncidentForm, parseSourceForm } from './forms.ts';
export { verifyLedger } from './ledger.ts';
export {
  createFact,
  createIncident,
  createSource,
  getFact,
  getIncident,
  getSource,
  linkFactSource,
  linkFactStatement,
  linkIncidentFact,
  linkIncidentSource,
  listEntityHistory,
  loadOrganiserEvidence,
  loadPublicEvidence,
  unlinkFactSource,
  unlinkFactStatement,
  unlinkIncidentFact,
  unlinkIncidentSource,
  updateFact,
  updateIncident,
  updateSource,
  type OrganiserEvidence,
  type PublicEvidence,
  type PublicIncident,
} from './service.ts';
export { findLatestPublishedExport as findPublishedLedger } from './queries.ts';
