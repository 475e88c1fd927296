/**
 * Open letters: a campaign's letters to its targets (the accountability feature's), their signatories — public only
 * once an organiser verified them, with the evidence recorded — and, for a letter whose list the campaign does not
 * hold, the number of signers a source reported, shown apart. A public sign-on form with a mailed confirmation, the
 * organisers' pages and queue, a campaign-page section, and `/api/v1/campaigns/{slug}/letters`.
 */
import type { Feature } from '../../feature.ts';
import { registerLetterAdminRoutes } from './admin-routes.tsx';
import { campaignLettersSection } from './admin-section.tsx';
import { addDemoLetters } from './demo.ts';
import en from './locales/en.json' with { type: 'json' };
import ru from './locales/ru.json' with { type: 'json' };
import { letterConfirmationMail } from './mails.ts';
import { registerLetterRoutes } from './routes.tsx';
import { lettersSection } from './section.tsx';

export const letters: Feature = {
  name: 'letters',
  needs: ['audit', 'campaigns', 'accountability'],
  locales: { en, ru },
  register(app) {
    registerLetterRoutes(app);
    registerLetterAdminRoutes(app);
  },
  jobs: [letterConfirmationMail],
  campaignSections: [lettersSection],
  campaignAdminSections: [campaignLettersSection],
  demo: addDemoLetters,
};

export type { Letter, Signatory } from './model.ts';
export { listPublicLetters } from './service.ts';
