/**
 * A feature declares everything it adds to Outcry in one object, exported from its folder's `index.ts` and listed
 * once in `features/index.ts`. `app.ts`, `main.ts`, the worker, the CLI, the campaign page and the admin navigation
 * iterate over that list and import no feature's internals. See ARCHITECTURE.md, "How to add a feature".
 */
import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import type { Database, DatabaseHandle } from './db/database.ts';
import type { AnyJobKind, PeriodicTask } from './jobs/job.ts';
import type { Locale, Strings } from './web/i18n.ts';
import type { NavLink } from './web/context.ts';
import type { CampaignAdminSection, CampaignSection, DashboardNotice } from './features/campaigns/index.ts';

export interface Feature {
  /** The folder's name. */
  readonly name: string;
  /** Features whose services (Fastify decorators) this one uses: they must come earlier in the list. */
  readonly needs?: readonly string[];
  /** The feature's strings, under its own top-level keys. */
  readonly locales?: Readonly<Record<Locale, Strings>>;
  /**
   * Public and admin routes, hooks, and the services other features reach through this feature's index (decorators
   * on the Fastify instance). Runs in web processes only.
   */
  register?(app: FastifyInstance): void | Promise<void>;
  /** Job kinds this feature enqueues and handles, each with its payload type. */
  readonly jobs?: readonly AnyJobKind[];
  /** Work the worker runs on a timer (folding counts, housekeeping). */
  readonly tasks?: readonly PeriodicTask[];
  /** Sections of the public campaign page, in list order after the campaign's own header. */
  readonly campaignSections?: readonly CampaignSection[];
  /** Sections of a campaign's admin page, after the campaign's own form. */
  readonly campaignAdminSections?: readonly CampaignAdminSection[];
  /** Notices at the top of the organisers' dashboard. */
  readonly dashboardNotices?: readonly DashboardNotice[];
  /** Links in the organisers' navigation. */
  readonly adminNav?: readonly NavLink[];
  /** Adds this feature's part of the #EyesOnChechnya demo to the demo campaign (already created, not yet published). */
  demo?(context: DemoContext): Promise<void>;
  /** Subcommands of `outcry`. */
  cli?(program: Command, context: CliContext): void;
}

export interface DemoContext {
  readonly db: Database;
  /** The handle itself, for writes that take the engine's locks (the evidence ledger's). */
  readonly database: DatabaseHandle;
  readonly dataDir: string;
  readonly campaignId: number;
}

export interface CliContext {
  /** Every feature, in order (the demo loads each one's part). */
  readonly features: readonly Feature[];
  /** A command that groups subcommands of several features (`outcry export …`): made by the first to ask. */
  group(name: string, description: string): Command;
  /** Reads the configuration, or stops the command with a message naming what is wrong. */
  config(): Config;
  /**
   * Runs `run` against the database (migrated first unless `migrate` is false; `mustExist`: never created) and closes
   * it afterwards. The handle is for what differs per engine (a backup).
   */
  withDatabase<T>(run: (db: Database, database: DatabaseHandle) => Promise<T>, options?: { migrate: boolean; mustExist?: boolean }): Promise<T>;
}

/** Checks that each feature comes after the ones it needs, so their services exist when it registers. */
export function assertFeatureOrder(features: readonly Feature[]): void {
  const seen = new Set<string>();
  for (const feature of features) {
    for (const need of feature.needs ?? []) {
      if (!seen.has(need)) throw new Error(`Feature "${feature.name}" needs "${need}" earlier in the feature list (src/features/index.ts).`);
    }
    if (seen.has(feature.name)) throw new Error(`Feature "${feature.name}" is listed twice.`);
    seen.add(feature.name);
  }
}
