/**
 * Moderation: reviewing the signatures the anti-abuse checks set aside (and setting others aside by hand). Moderators
 * see only what is stored in the clear (number, country, status, reason, dates), never names or addresses.
 */
import type { Feature } from '../../feature.ts';
import en from './locales/en.json' with { type: 'json' };
import ru from './locales/ru.json' with { type: 'json' };
import { registerModerationRoutes } from './routes.tsx';

export const moderation: Feature = {
  name: 'moderation',
  needs: ['admin', 'campaigns', 'petitions'],
  locales: { en, ru },
  register: registerModerationRoutes,
};
