import type { Config } from '../../../config.ts';
import type { Database } from '../../../db/database.ts';
import type { SessionUser } from '../../../web/session.ts';
import { countFactors } from './queries.ts';

/**
 * On a production site (an https public URL) an owner must have a second factor: owners can do everything, and they
 * are whom a persecuting state phishes first. Until they add one, the security page is the only page they can open.
 */
export async function ownerMustEnrol(db: Database, config: Config, user: SessionUser): Promise<boolean> {
  return config.secureCookies && user.role === 'owner' && (await countFactors(db, user.id)) === 0;
}
