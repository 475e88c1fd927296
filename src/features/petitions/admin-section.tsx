/** The petitions' part of a campaign's admin page: the list of its petitions, with a link to it near the top. */
import type { CampaignAdminSection } from '../campaigns/index.ts';
import { listPetitionSummaries } from './admin-service.ts';
import { CampaignPetitions } from './admin-views.tsx';

export const campaignPetitionsSection: CampaignAdminSection = {
  async render({ app, ctx, campaign }) {
    const summaries = await listPetitionSummaries(app.deps.database.db, app.countBoard, campaign.id);
    return {
      jump: (
        <p>
          <a href="#petitions">{ctx.t('petitionsAdmin.jumpToPetitions', { count: summaries.length })}</a>
        </p>
      ),
      body: <CampaignPetitions ctx={ctx} campaign={campaign} summaries={summaries} />,
    };
  },
};
