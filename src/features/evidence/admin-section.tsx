/** The evidence part of a campaign's admin page: how many facts, sources and incidents, and the way to them. */
import type { CampaignAdminSection } from '../campaigns/index.ts';
import { loadOrganiserEvidence } from './service.ts';

export const campaignEvidenceSection: CampaignAdminSection = {
  async render({ app, ctx, campaign }) {
    const { facts, sources, incidents } = await loadOrganiserEvidence(app.deps.database.db, campaign.id);
    const { t } = ctx;
    return {
      body: (
        <section id="evidence" aria-labelledby="evidence-admin-heading">
          <h2 id="evidence-admin-heading">{t('evidence.admin.title')}</h2>
          <p>
            {[
              t('evidence.admin.factCount', { count: facts.length }),
              t('evidence.admin.sourceCount', { count: sources.length }),
              t('evidence.admin.incidentCount', { count: incidents.length }),
            ].join(' ')}
          </p>
          <p>
            <a href={`/admin/campaigns/${campaign.id}/evidence`}>{t('evidence.admin.manage')}</a>
          </p>
        </section>
      ),
    };
  },
};
