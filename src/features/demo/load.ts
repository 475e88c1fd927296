import path from 'node:path';
import { existsSync } from 'node:fs';
import type { Database } from '../../db/database.ts';
import { generateOrganisationKeyPair } from '../../crypto/hpke.ts';
import { findCampaignBySlug, countCampaigns } from '../campaigns/queries.ts';
import { changeCampaignStatus, createCampaign } from '../campaigns/service.ts';
import { activateOrganisationKey, findActiveOrganisationKey } from '../keys/queries.ts';
import { writeKeyFile } from '../keys/key-file.ts';
import { createPetition } from '../petitions/service.ts';
import { EYES_ON_CHECHNYA, WHITE_HOUSE_PETITION } from './eyes-on-chechnya.ts';

export type DemoResult = 'loaded' | 'already-present';

/** Where the demo writes its organisation secret key: on the server, which is acceptable for a demo only. */
export const DEMO_KEY_FILE = 'DEMO-ONLY-organisation-secret.key';

/** Loads the demo campaign with its petition, published and featured, unless a campaign with its slug exists. */
export async function loadDemo(db: Database, options: { dataDir: string }): Promise<DemoResult> {
  if (await findCampaignBySlug(db, EYES_ON_CHECHNYA.slug)) return 'already-present';
  let id: number;
  try {
    id = await createCampaign(db, { userId: null, input: EYES_ON_CHECHNYA });
  } catch (error) {
    // Several processes starting on one empty PostgreSQL race here; the loser finds the winner's campaign.
    if (await findCampaignBySlug(db, EYES_ON_CHECHNYA.slug)) return 'already-present';
    throw error;
  }
  await createPetition(db, { userId: null, campaignId: id, input: WHITE_HOUSE_PETITION });
  await ensureDemoOrganisationKey(db, options.dataDir);
  await changeCampaignStatus(db, { userId: null, id, status: 'published' });
  return 'loaded';
}

/**
 * So that the demo petition can be signed out of the box, the demo makes an organisation key and leaves its secret
 * half in DATA_DIR, clearly named. A real campaign replaces it with `outcry keys new` on an organiser's machine.
 */
async function ensureDemoOrganisationKey(db: Database, dataDir: string): Promise<void> {
  if (await findActiveOrganisationKey(db)) return;
  const file = path.join(dataDir, DEMO_KEY_FILE);
  if (existsSync(file)) return;
  const pair = await generateOrganisationKeyPair();
  writeKeyFile(file, pair);
  await activateOrganisationKey(db, pair);
}

/** At start: a brand-new, empty database gets the demo so `npm start` shows something real. */
export async function loadDemoIfEmpty(db: Database, options: { dataDir: string }): Promise<boolean> {
  if ((await countCampaigns(db)) > 0) return false;
  return (await loadDemo(db, options)) === 'loaded';
}
