/** The ordered list of migrations. Both dialects run every one of them; none is ever skipped on either. */
import type { Migration } from 'kysely';
import * as foundation from './2026-11-25-01-foundation.ts';
import * as petitions from './2026-11-25-02-petitions.ts';
import * as userLastLogin from './2026-12-02-01-user-last-login.ts';
import * as twoFactor from './2026-12-02-02-two-factor.ts';
import * as accountability from './2026-12-02-03-accountability.ts';
import * as endorsements from './2026-12-02-04-endorsements.ts';
import * as letters from './2026-12-02-05-letters.ts';
import * as milestoneAsks from './2026-12-02-06-milestone-asks.ts';
import * as targetPictures from './2026-12-02-07-target-pictures.ts';
import * as intakeRecipients from './2026-12-02-08-intake-recipients.ts';
import * as intakeSubmissions from './2026-12-02-09-intake-submissions.ts';
import * as intakeNotifications from './2026-12-02-10-intake-notifications.ts';
import * as partnerAccounts from './2026-12-03-01-partner-accounts.ts';
import * as evidence from './2026-12-03-02-evidence.ts';
import * as evidenceCaptures from './2026-12-03-03-evidence-captures.ts';

export const migrations: Record<string, Migration> = {
  '2026-11-25-01-foundation': foundation,
  '2026-11-25-02-petitions': petitions,
  '2026-12-02-01-user-last-login': userLastLogin,
  '2026-12-02-02-two-factor': twoFactor,
  '2026-12-02-03-accountability': accountability,
  '2026-12-02-04-endorsements': endorsements,
  '2026-12-02-05-letters': letters,
  '2026-12-02-06-milestone-asks': milestoneAsks,
  '2026-12-02-07-target-pictures': targetPictures,
  '2026-12-02-08-intake-recipients': intakeRecipients,
  '2026-12-02-09-intake-submissions': intakeSubmissions,
  '2026-12-02-10-intake-notifications': intakeNotifications,
  '2026-12-03-01-partner-accounts': partnerAccounts,
  '2026-12-03-02-evidence': evidence,
  '2026-12-03-03-evidence-captures': evidenceCaptures,
};
