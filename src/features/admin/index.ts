/**
 * The organisers' area: logging in and out (password, then a passkey or authenticator code when the account has one),
 * roles and what each may do, the security page, the layout and navigation of every admin page, the audit log page,
 * the cleanup of expired sessions, and `outcry two-factor reset`.
 */
import type { Feature } from '../../feature.ts';
import { deleteExpiredSessions } from '../../web/session.ts';
import en from './locales/en.json' with { type: 'json' };
import ru from './locales/ru.json' with { type: 'json' };
import { registerAdminRoutes } from './routes.tsx';
import { addTwoFactorCommands } from './two-factor/cli.ts';

export const admin: Feature = {
  name: 'admin',
  needs: ['audit', 'users'],
  locales: { en, ru },
  register: registerAdminRoutes,
  tasks: [{ name: 'delete-expired-sessions', everyMs: 15 * 60 * 1000, run: ({ db }) => deleteExpiredSessions(db) }],
  adminNav: [
    { href: '/admin', labelKey: 'admin.dashboard', permission: 'campaigns:view' },
    { href: '/admin/audit', labelKey: 'admin.audit', permission: 'audit:view' },
    { href: '/admin/security', labelKey: 'twoFactor.nav' },
  ],
  cli: addTwoFactorCommands,
};

export { can, redirectToRoleHome, requirePermission, requireUser, safeNextPath, type Permission } from './auth.ts';
export { AdminLayout } from './views.tsx';
