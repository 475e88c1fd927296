/**
 * The campaign page's list of open letters. Every change that shows there touches the campaign, whose last change is
 * already part of the cached page's key: the section adds nothing of its own to it.
 */
import type { CampaignSection } from '../campaigns/index.ts';
import { listPublicLetters } from './service.ts';
import { LettersSection } from './views.tsx';

export const lettersSection: CampaignSection = {
  version() {
    return 'letters';
  },
  async render({ app, ctx, campaign }) {
    const letters = await listPublicLetters(app.deps.database.db, campaign.id);
    return <LettersSection ctx={ctx} slug={campaign.slug} letters={letters} />;
  },
};
