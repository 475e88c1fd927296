import type { Database } from '../../db/database.ts';
import { findCampaignBySlug, countCampaigns } from '../campaigns/queries.ts';
import { changeCampaignStatus, createCampaign } from '../campaigns/service.ts';
import { EYES_ON_CHECHNYA } from './eyes-on-chechnya.ts';

export type DemoResult = 'loaded' | 'already-present';

/** Loads the demo campaign, published and featured, unless a campaign with its slug exists. */
export async function loadDemo(db: Database): Promise<DemoResult> {
  if (await findCampaignBySlug(db, EYES_ON_CHECHNYA.slug)) return 'already-present';
  let id: number;
  try {
    id = await createCampaign(db, { userId: null, input: EYES_ON_CHECHNYA });
  } catch (error) {
    // Several processes starting on one empty PostgreSQL race here; the loser finds the winner's campaign.
    if (await findCampaignBySlug(db, EYES_ON_CHECHNYA.slug)) return 'already-present';
    throw error;
  }
  await changeCampaignStatus(db, { userId: null, id, status: 'published' });
  return 'loaded';
}

/** At start: a brand-new, empty database gets the demo so `npm start` shows something real. */
export async function loadDemoIfEmpty(db: Database): Promise<boolean> {
  if ((await countCampaigns(db)) > 0) return false;
  return (await loadDemo(db)) === 'loaded';
}
