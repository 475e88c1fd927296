/** The accountability part of a campaign's admin page: how many targets, and the way to them. */
import type { CampaignAdminSection } from '../campaigns/index.ts';
import { listTargetsOfCampaign } from './queries.ts';

export const campaignTargetsSection: CampaignAdminSection = {
  async render({ app, ctx, campaign }) {
    const targets = await listTargetsOfCampaign(app.deps.database.db, campaign.id);
    const { t } = ctx;
    return {
      body: (
        <section id="accountability" aria-labelledby="accountability-admin-heading">
          <h2 id="accountability-admin-heading">{t('accountability.admin.title')}</h2>
          <p>{t('accountability.admin.targetCount', { count: targets.length })}</p>
          <p>
            <a href={`/admin/campaigns/${campaign.id}/accountability`}>{t('accountability.admin.manage')}</a>
          </p>
        </section>
      ),
    };
  },
};
