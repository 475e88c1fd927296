/** What endorsements add to a campaign's pages: the wall on its public page, the summary on its admin page. */
import type { CampaignAdminSection, CampaignSection } from '../campaigns/index.ts';
import { CampaignEndorsementsSummary } from './admin-views.tsx';
import { countEndorsements } from './queries.ts';
import { endorsementsVersion, publicEndorsements } from './service.ts';
import { EndorsementWall } from './views.tsx';

/** How many endorsements the campaign page shows before the link to all of them. */
const WALL_SIZE = 6;

export const endorsementWallSection: CampaignSection = {
  async version({ app, campaign }) {
    return endorsementsVersion(await publicEndorsements(app.deps.database.db, campaign.id));
  },
  async render({ app, ctx, campaign }) {
    const endorsements = await publicEndorsements(app.deps.database.db, campaign.id);
    return <EndorsementWall ctx={ctx} slug={campaign.slug} shown={endorsements.slice(0, WALL_SIZE)} total={endorsements.length} />;
  },
};

export const campaignEndorsementsSection: CampaignAdminSection = {
  async render({ app, ctx, campaign }) {
    const counts = await countEndorsements(app.deps.database.db, campaign.id);
    return {
      jump: (
        <p>
          <a href="#endorsements">{ctx.t('endorsementsAdmin.jump', { count: counts.verified + counts.unverified })}</a>
        </p>
      ),
      body: <CampaignEndorsementsSummary ctx={ctx} campaign={campaign} counts={counts} />,
    };
  },
};
