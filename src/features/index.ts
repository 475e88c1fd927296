/**
 * Every feature, in the order they register: a feature comes after the ones it `needs`. Adding a feature is creating
 * its folder and adding it here (see ARCHITECTURE.md, "How to add a feature").
 */
import type { Feature } from '../feature.ts';
import { addStrings } from '../web/i18n.ts';
import { accountability } from './accountability/index.ts';
import { admin } from './admin/index.ts';
import { audit } from './audit/index.ts';
import { backup } from './backup/index.ts';
import { campaigns } from './campaigns/index.ts';
import { demo } from './demo/index.ts';
import { endorsements } from './endorsements/index.ts';
import { evidence } from './evidence/index.ts';
import { health } from './health/index.ts';
import { intake } from './intake/index.ts';
import { keys } from './keys/index.ts';
import { letters } from './letters/index.ts';
import { live } from './live/index.ts';
import { mailbox } from './mailbox/index.ts';
import { map } from './map/index.ts';
import { moderation } from './moderation/index.ts';
import { petitions } from './petitions/index.ts';
import { proxy } from './proxy/index.ts';
import { switches } from './switches/index.ts';
import { users } from './users/index.ts';

export const FEATURES: readonly Feature[] = [
  health,
  proxy,
  audit,
  users,
  admin,
  keys,
  switches,
  campaigns,
  petitions,
  moderation,
  map,
  endorsements,
  accountability,
  evidence,
  letters,
  live,
  mailbox,
  intake,
  demo,
  backup,
];

for (const feature of FEATURES) if (feature.locales) addStrings(feature.locales);
