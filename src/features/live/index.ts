/**
 * The live counter: `GET /c/{slug}/events` streams each campaign's counts (Server-Sent Events), at most once a second;
 * with LIVE_PUBLISH_URL, the proxy streams them and Outcry only publishes (publisher.ts).
 */
import { Counter } from 'prom-client';
import type { Feature } from '../../feature.ts';
import { listPublicCampaigns } from '../campaigns/index.ts';
import { petitionsOfCampaign } from '../petitions/index.ts';
import { LivePublisher, nchanSender } from './publisher.ts';
import { registerLiveRoutes } from './routes.ts';

export const live: Feature = {
  name: 'live',
  needs: ['campaigns', 'petitions'],
  register(app) {
    registerLiveRoutes(app);
    const { config, database, logger } = app.deps;
    if (config.livePublishUrl === null) return;
    const published = new Counter({
      name: 'outcry_live_published_total',
      help: "Campaigns' counts published to the proxy for its live streams (LIVE_PUBLISH_URL).",
      registers: [app.metrics],
    });
    const send = nchanSender(config.livePublishUrl);
    const publisher = new LivePublisher(
      app.countBoard,
      () => listPublicCampaigns(database.db),
      (campaignId) => petitionsOfCampaign(database.db, campaignId),
      async (slug, messages) => {
        await send(slug, messages);
        published.inc();
      },
      (err) => logger.warn({ event: 'live-publish-failed', err }, 'the live counts could not be published to the proxy (LIVE_PUBLISH_URL)'),
    );
    app.addHook('onReady', async () => publisher.start());
    app.addHook('onClose', () => publisher.stop());
  },
};

export { liveHubOf } from './routes.ts';
