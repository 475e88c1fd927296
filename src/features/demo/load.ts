/**
 * Loading the #EyesOnChechnya demo: the campaign itself, then each feature's part of it (the petition, and whatever
 * later features add), then the demo organisation key, then publishing.
 */
import path from 'node:path';
import { existsSync } from 'node:fs';
import type { Database, DatabaseHandle } from '../../db/database.ts';
import { generateOrganisationKeyPair } from '../../crypto/hpke.ts';
import type { Feature } from '../../feature.ts';
import { changeCampaignStatus, countCampaigns, createCampaign, findCampaignBySlug } from '../campaigns/index.ts';
import { activateOrganisationKey, findActiveOrganisationKey, writeKeyFile } from '../keys/index.ts';
import { EYES_ON_CHECHNYA } from './eyes-on-chechnya.ts';

export type DemoResult = 'loaded' | 'already-present';

/** Where the demo writes its organisation secret key: on the server, which is acceptable for a demo only. */
export const DEMO_KEY_FILE = 'DEMO-ONLY-organisation-secret.key';

/** Is the demo's organisation secret key still in the data folder (so whoever takes the server can open every record)? */
export function isDemoKeyOnServer(dataDir: string): boolean {
  return existsSync(path.join(dataDir, DEMO_KEY_FILE));
}

/** Loads the demo campaign with every feature's part of it, published and featured, unless a campaign with its slug exists. */
export async function loadDemo(database: DatabaseHandle, options: { dataDir: string; features: readonly Feature[] }): Promise<DemoResult> {
  const { db } = database;
  if (await findCampaignBySlug(db, EYES_ON_CHECHNYA.slug)) return 'already-present';
  let id: number;
  try {
    id = await createCampaign(db, { userId: null, input: EYES_ON_CHECHNYA });
  } catch (error) {
    // Several processes starting on one empty PostgreSQL race here; the loser finds the winner's campaign.
    if (await findCampaignBySlug(db, EYES_ON_CHECHNYA.slug)) return 'already-present';
    throw error;
  }
  for (const feature of options.features) await feature.demo?.({ db, database, dataDir: options.dataDir, campaignId: id });
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
export async function loadDemoIfEmpty(database: DatabaseHandle, options: { dataDir: string; features: readonly Feature[] }): Promise<boolean> {
  if ((await countCampaigns(database.db)) > 0) return false;
  return (await loadDemo(database, options)) === 'loaded';
}
