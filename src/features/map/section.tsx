/** The map's section of a campaign page: where the main petition's signers are, from the counts in memory. */
import type { CampaignSection } from '../campaigns/index.ts';
import { mainPetition, petitionsOfCampaign } from '../petitions/index.ts';
import { SignatureMap } from './world-map.tsx';

export const signatureMapSection: CampaignSection = {
  async version({ app, campaign }) {
    const main = mainPetition(await petitionsOfCampaign(app.deps.database.db, campaign.id));
    // The count's updatedAt is renewed whenever any country's count changes.
    return main ? `${main.id}~${app.countBoard.count(main.id).updatedAt}` : 'none';
  },
  async render({ app, ctx, campaign }) {
    const main = mainPetition(await petitionsOfCampaign(app.deps.database.db, campaign.id));
    return main ? <SignatureMap ctx={ctx} petitionId={main.id} byCountry={app.countBoard.count(main.id).byCountry} /> : null;
  },
};
