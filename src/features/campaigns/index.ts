/**
 * Campaigns: the campaign record (story, hashtag, goal, days counter, languages), its public page and share links,
 * and the organisers' dashboard and campaign form. Other features add to a campaign's pages through the sections
 * declared in their own modules (see sections.ts).
 */
import type { Feature } from '../../feature.ts';
import en from './locales/en.json' with { type: 'json' };
import ru from './locales/ru.json' with { type: 'json' };
import { registerCampaignAdminRoutes } from './admin-routes.tsx';
import { registerCampaignRoutes } from './routes.tsx';

export const campaigns: Feature = {
  name: 'campaigns',
  needs: ['admin'],
  locales: { en, ru },
  register(app) {
    registerCampaignRoutes(app);
    registerCampaignAdminRoutes(app);
  },
};

export type { Campaign, CampaignInput, CampaignText } from './model.ts';
export { daysSince, textFor } from './model.ts';
export { countCampaigns, findCampaignById, findCampaignBySlug } from './queries.ts';
export { changeCampaignStatus, createCampaign, getCampaignForAdmin, getPublicCampaign, MAX_GOAL, readGoal, touchCampaign } from './service.ts';
export { SHARE_CODE_PATTERN } from './share.ts';
export { sendCampaignPageWithRejectedForm } from './routes.tsx';
export type { CampaignAdminSection, CampaignSection, DashboardNotice, FormTokens, PageTokens, RejectedForm } from './sections.ts';
