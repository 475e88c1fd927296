/** The ordered list of migrations. Both dialects run every one of them; none is ever skipped on either. */
import type { Migration } from 'kysely';
import * as foundation from './2026-11-25-01-foundation.ts';

export const migrations: Record<string, Migration> = {
  '2026-11-25-01-foundation': foundation,
};
