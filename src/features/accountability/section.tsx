/** The campaign page's scoreboard. Its version is the day in TIME_ZONE: the page is re-rendered when counters move. */
import type { CampaignSection } from '../campaigns/index.ts';
import { todayIn } from './model.ts';
import { loadScoreboard } from './scoreboard.ts';
import { AccountabilitySection } from './views.tsx';

export const accountabilitySection: CampaignSection = {
  version({ app }) {
    return todayIn(app.deps.config.timeZone, new Date());
  },
  async render({ app, ctx, campaign }) {
    const entries = await loadScoreboard(app.deps.database.db, campaign.id, todayIn(app.deps.config.timeZone, new Date()));
    return <AccountabilitySection ctx={ctx} entries={entries} slug={campaign.slug} />;
  },
};
