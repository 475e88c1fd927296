/**
 * Secure intake: testimony and requests for help from people at risk, encrypted to the keys of people who can act —
 * in the sender's browser, or as it streams in when their browser runs no script — so the server never holds what
 * they wrote in a form it can read. Recipients and their keys (owners), `/speak` with its codename and return page,
 * and the reviewers' inbox, which a partner organisation's own account sees for its requests for help only.
 */
import type { FastifyInstance } from 'fastify';
import type { Feature } from '../../feature.ts';
import { registerIntakeAdminRoutes } from './admin.tsx';
import { addIntakeCommands } from './cli.ts';
import { addDemoIntakeReaders } from './demo.ts';
import { deleteWhatIsDue, HOUSEKEEPING_EVERY_MS, NOTIFY_EVERY_MS, sendNotifications } from './housekeeping.ts';
import { registerInboxRoutes } from './inbox.tsx';
import { speakSafelySection } from './section.tsx';
import { registerSpeakRoutes } from './speak-routes.tsx';
import en from './locales/en.json' with { type: 'json' };
import ru from './locales/ru.json' with { type: 'json' };

async function registerIntake(app: FastifyInstance): Promise<void> {
  registerIntakeAdminRoutes(app);
  registerInboxRoutes(app);
  await registerSpeakRoutes(app);
}

export const intake: Feature = {
  name: 'intake',
  needs: ['audit', 'admin', 'switches', 'campaigns', 'users'],
  locales: { en, ru },
  register: registerIntake,
  cli: addIntakeCommands,
  demo: addDemoIntakeReaders,
  campaignSections: [speakSafelySection],
  tasks: [
    { name: 'intake-notify', everyMs: NOTIFY_EVERY_MS, run: async (ctx) => void (await sendNotifications(ctx)) },
    { name: 'intake-retention', everyMs: HOUSEKEEPING_EVERY_MS, run: async ({ db }) => void (await deleteWhatIsDue(db, new Date())) },
  ],
  adminNav: [
    { href: '/admin/intake', labelKey: 'inbox.nav', permission: ['intake:review', 'intake:partner'] },
    { href: '/admin/intake/recipients', labelKey: 'intake.nav', permission: 'intake:manage' },
  ],
};

export { demoIntakeKeysOnServer } from './demo.ts';
