/**
 * The world map of confirmed signatures by country on the campaign page, drawn on the server as SVG, for the
 * campaign's main petition (the one its count stands for).
 */
import type { Feature } from '../../feature.ts';
import en from './locales/en.json' with { type: 'json' };
import ru from './locales/ru.json' with { type: 'json' };
import { signatureMapSection } from './section.tsx';

export const map: Feature = {
  name: 'map',
  needs: ['petitions'],
  locales: { en, ru },
  campaignSections: [signatureMapSection],
};
