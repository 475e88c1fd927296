import type { Config } from '../../../config.ts';
import type { Database } from '../../../db/database.ts';
import type { Role } from '../../../db/schema.ts';
import type { SessionUser } from '../../../web/session.ts';
import { countFactors } from './queries.ts';

/**
 * On a production site (an https public URL) owners and partner organisations must have a second factor: owners can do
 * everything, partners read requests for help from people at risk, and both are whom a persecuting state phishes
 * first. Until they add one, the security page is the only page they can open.
 */
const MUST_ENROL: readonly Role[] = ['owner', 'partner'];

export async function mustEnrolSecondFactor(db: Database, config: Config, user: SessionUser): Promise<boolean> {
  return config.secureCookies && MUST_ENROL.includes(user.role) && (await countFactors(db, user.id)) === 0;
}
