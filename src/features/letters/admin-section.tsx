/** The letters part of a campaign's admin page: how many letters, and the way to them. */
import type { CampaignAdminSection } from '../campaigns/index.ts';
import { listLettersOfCampaign } from './queries.ts';

export const campaignLettersSection: CampaignAdminSection = {
  async render({ app, ctx, campaign }) {
    const letters = await listLettersOfCampaign(app.deps.database.db, campaign.id);
    const { t } = ctx;
    return {
      body: (
        <section id="letters" aria-labelledby="letters-admin-heading">
          <h2 id="letters-admin-heading">{t('letters.admin.title')}</h2>
          <p>{t('letters.admin.letterCount', { count: letters.length })}</p>
          <p>
            <a href={`/admin/campaigns/${campaign.id}/letters`}>{t('letters.admin.manage')}</a>
          </p>
        </section>
      ),
    };
  },
};
