/** The ordered list of migrations. Both dialects run every one of them; none is ever skipped on either. */
import type { Migration } from 'kysely';
import * as foundation from './2026-11-25-01-foundation.ts';
import * as petitions from './2026-11-25-02-petitions.ts';

export const migrations: Record<string, Migration> = {
  '2026-11-25-01-foundation': foundation,
  '2026-11-25-02-petitions': petitions,
};
