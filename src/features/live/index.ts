/** The live counter: `GET /c/{slug}/events` streams each campaign's counts (Server-Sent Events), at most once a second. */
import type { Feature } from '../../feature.ts';
import { registerLiveRoutes } from './routes.ts';

export const live: Feature = {
  name: 'live',
  needs: ['campaigns', 'petitions'],
  register(app) {
    registerLiveRoutes(app);
  },
};

export { liveHubOf } from './routes.ts';
