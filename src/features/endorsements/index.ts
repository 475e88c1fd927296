/**
 * Endorsements: public figures backing a campaign, with the evidence an organiser verified them with. The wall on the
 * campaign page and the page of all of them show verified ones only; the public may suggest one, which waits hidden
 * in the organisers' review queue. Also served as JSON at /api/v1/campaigns/{slug}/endorsements.
 */
import type { Feature } from '../../feature.ts';
import en from './locales/en.json' with { type: 'json' };
import ru from './locales/ru.json' with { type: 'json' };
import { registerEndorsementAdminRoutes } from './admin-routes.tsx';
import { addDemoEndorsements } from './demo.ts';
import { registerEndorsementRoutes } from './routes.tsx';
import { campaignEndorsementsSection, endorsementWallSection } from './sections.tsx';

export const endorsements: Feature = {
  name: 'endorsements',
  needs: ['audit', 'campaigns'],
  locales: { en, ru },
  register(app) {
    registerEndorsementRoutes(app);
    registerEndorsementAdminRoutes(app);
  },
  campaignSections: [endorsementWallSection],
  campaignAdminSections: [campaignEndorsementsSection],
  demo: addDemoEndorsements,
};

export type { Endorsement } from './model.ts';
export { publicEndorsements } from './service.ts';
