/**
 * Kill switches an organiser flips during an attack or an outage (pause signing, pause counting, require proof of
 * work): stored as settings, re-read by every process within a second, no restart.
 */
import type { Feature } from '../../feature.ts';
import en from './locales/en.json' with { type: 'json' };
import ru from './locales/ru.json' with { type: 'json' };
import { registerSwitchAdminRoutes } from './admin-routes.tsx';
import { SwitchBoard } from './switches.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The kill switches as this process last read them (at most a second ago). */
    switches: SwitchBoard;
  }
}

export const switches: Feature = {
  name: 'switches',
  needs: ['admin', 'audit'],
  locales: { en, ru },
  register(app) {
    app.decorate('switches', new SwitchBoard(app.deps.database.db));
    registerSwitchAdminRoutes(app);
  },
  adminNav: [{ href: '/admin/switches', labelKey: 'switches.nav', permission: 'campaigns:view' }],
};

export { SwitchBoard, type Switches } from './switches.ts';
