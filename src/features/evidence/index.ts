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
import { campaignEvidenceSection } from './admin-section.tsx';
import { registerEvidenceAdminRoutes } from './admin-routes.tsx';
import { addDemoEvidence } from './demo.ts';
import { registerEvidencePageRoutes } from './page-routes.tsx';
import { evidenceSection } from './section.tsx';
import { captureJob, HEAD_TIMESTAMP_CHECK_MS, timestampChangedHeads } from './captures.ts';
import { capturesPanel } from './captures-panel.tsx';
import { addDemoArticleCopy } from './captures-demo.ts';
import { timestampNotice } from './captures-notice.tsx';
import { registerCaptureRoutes } from './captures-routes.ts';

export const evidence: Feature = {
  name: 'evidence',
  needs: ['audit', 'campaigns', 'accountability'],
  locales: { en, ru },
  async register(app) {
    registerEvidenceRoutes(app);
    registerEvidencePageRoutes(app);
    registerEvidenceAdminRoutes(app, { sourcePanels: [capturesPanel] });
    await registerCaptureRoutes(app);
  },
  campaignSections: [evidenceSection],
  campaignAdminSections: [campaignEvidenceSection],
  async demo(context) {
    await addDemoEvidence(context);
    await addDemoArticleCopy(context);
  },
  cli: addEvidenceCommands,
  jobs: [captureJob],
  tasks: [
    {
      name: 'evidence-head-timestamps',
      everyMs: HEAD_TIMESTAMP_CHECK_MS,
      run: async ({ db, config }) => void (await timestampChangedHeads(db, { settings: config.evidence })),
    },
  ],
  dashboardNotices: [timestampNotice],
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
