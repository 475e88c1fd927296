/**
 * The development mailbox: without SMTP_URL, mail is written to <DATA_DIR>/mail/ and owners read it in the admin
 * (it holds supporters' addresses in the clear: for trying Outcry out, not for a real campaign, and each file is
 * deleted a day after it was written).
 */
import type { Feature } from '../../feature.ts';
import { mailFolder } from '../../jobs/mailer.ts';
import en from './locales/en.json' with { type: 'json' };
import ru from './locales/ru.json' with { type: 'json' };
import { deleteOldMail, MAIL_RETENTION_MS } from './mailbox.ts';
import { registerMailboxRoutes } from './routes.tsx';

export const mailbox: Feature = {
  name: 'mailbox',
  needs: ['admin'],
  locales: { en, ru },
  register: registerMailboxRoutes,
  adminNav: [{ href: '/admin/mail', labelKey: 'mailbox.nav', permission: 'mailbox:view' }],
  tasks: [
    {
      name: 'delete-old-mail',
      everyMs: 10 * 60 * 1000,
      run: async ({ config }) => void (await deleteOldMail(mailFolder(config), { retentionMs: MAIL_RETENTION_MS })),
    },
  ],
};
