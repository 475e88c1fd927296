/**
 * Secure intake (being built): testimony and requests for help, encrypted to the keys of people who can act, so the
 * server never reads them. So far: the recipients — reviewers and partner organisations — with their checked keys.
 */
import type { Feature } from '../../feature.ts';
import { registerIntakeAdminRoutes } from './admin.tsx';
import en from './locales/en.json' with { type: 'json' };
import ru from './locales/ru.json' with { type: 'json' };

export const intake: Feature = {
  name: 'intake',
  needs: ['audit', 'admin'],
  locales: { en, ru },
  register: registerIntakeAdminRoutes,
  adminNav: [{ href: '/admin/intake/recipients', labelKey: 'intake.nav', permission: 'intake:manage' }],
};
