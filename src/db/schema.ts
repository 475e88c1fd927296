/**
 * Table types for Kysely. Both dialects store the same shapes: timestamps are ISO-8601 strings in UTC,
 * dates are `YYYY-MM-DD` strings, flags are 0/1 integers, ids are numbers.
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

export type Role = 'owner' | 'editor' | 'moderator';
export type CampaignStatus = 'draft' | 'published' | 'archived';
export type Flag = 0 | 1;

export interface UsersTable {
  id: Generated<number>;
  email: string;
  password_hash: string;
  role: Role;
  created_at: string;
  disabled_at: string | null;
}

export interface SessionsTable {
  /** SHA-256 of the cookie token: a copy of the database does not hand over live sessions. */
  id_hash: string;
  user_id: number;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
}

export interface CampaignsTable {
  id: Generated<number>;
  slug: string;
  hashtag: string;
  goal: number;
  start_date: string;
  start_date_approximate: Flag;
  /** Comma-separated locale codes the campaign is published in, the first being its main language. */
  locales: string;
  featured: Flag;
  status: CampaignStatus;
  created_at: string;
  updated_at: string;
  published_at: string | null;
}

export interface CampaignTextsTable {
  campaign_id: number;
  locale: string;
  title: string;
  summary: string;
  story_md: string;
  counter_label: string;
}

export interface AuditLogTable {
  id: Generated<number>;
  user_id: number | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  /** JSON: { field: [before, after] } for edits, or a short description object. */
  changes: string;
  created_at: ColumnType<string, string, never>;
}

export interface DB {
  users: UsersTable;
  sessions: SessionsTable;
  campaigns: CampaignsTable;
  campaign_texts: CampaignTextsTable;
  audit_log: AuditLogTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type CampaignRow = Selectable<CampaignsTable>;
export type CampaignUpdate = Updateable<CampaignsTable>;
export type CampaignTextRow = Selectable<CampaignTextsTable>;
