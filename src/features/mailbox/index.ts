/**
 * The development mailbox: without SMTP_URL, mail is written to <DATA_DIR>/mail/ and owners read it in the admin
 * (it holds supporters' addresses in the clear: for trying Outcry out, not for a real campaign).
 */
import type { Feature } from '../../feature.ts';
import en from './locales/en.json' with { type: 'json' };
import ru from './locales/ru.json' with { type: 'json' };
import { registerMailboxRoutes } from './routes.tsx';

export const mailbox: Feature = {
  name: 'mailbox',
  needs: ['admin'],
  locales: { en, ru },
  register: registerMailboxRoutes,
  adminNav: [{ href: '/admin/mail', labelKey: 'mailbox.nav', permission: 'mailbox:view' }],
};
