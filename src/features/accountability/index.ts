/**
 * Accountability: whom a campaign asks to act (targets), what it asked and when (asks), what they said (statements
 * with sources), and who stays silent — computed from those records, never entered. A scoreboard on the campaign
 * page, the whole record with its timeline at `/c/{slug}/accountability`, the organisers' pages, and a read API.
 */
import type { Feature } from '../../feature.ts';
import { registerAccountabilityAdminRoutes } from './admin-routes.tsx';
import { campaignTargetsSection } from './admin-section.tsx';
import { addDemoAccountability } from './demo.ts';
import { recordMilestoneAsks } from './milestone-asks.ts';
import en from './locales/en.json' with { type: 'json' };
import ru from './locales/ru.json' with { type: 'json' };
import { registerAccountabilityRoutes } from './routes.tsx';
import { accountabilitySection } from './section.tsx';

export const accountability: Feature = {
  name: 'accountability',
  needs: ['audit', 'campaigns', 'petitions'],
  locales: { en, ru },
  async register(app) {
    registerAccountabilityRoutes(app);
    await registerAccountabilityAdminRoutes(app);
  },
  campaignSections: [accountabilitySection],
  campaignAdminSections: [campaignTargetsSection],
  demo: addDemoAccountability,
  tasks: [{ name: 'record-milestone-asks', everyMs: 10_000, run: async (ctx) => void (await recordMilestoneAsks(ctx)) }],
};

export { isWebAddress } from './forms.ts';
export { targetText, todayIn, type Statement, type Target } from './model.ts';
export { findCampaignStatement, listStatementsOfCampaign, listTargetsOfCampaign, type CampaignStatement } from './queries.ts';
export { recordAskWithin } from './service.ts';
export { StatementSources } from './views.tsx';
