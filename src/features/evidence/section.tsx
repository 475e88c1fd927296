/**
 * The campaign page's part: the top public facts with their status. Every evidence change touches the campaign, whose
 * updatedAt is already in the cached page's key, so the section adds nothing to it.
 */
import type { CampaignSection } from '../campaigns/index.ts';
import { loadPublicEvidence } from './service.ts';
import { EvidenceSection } from './views.tsx';

export const evidenceSection: CampaignSection = {
  version() {
    return '';
  },
  async render({ app, ctx, campaign }) {
    const { facts } = await loadPublicEvidence(app.deps.database.db, campaign.id);
    return <EvidenceSection ctx={ctx} facts={facts} slug={campaign.slug} />;
  },
};
