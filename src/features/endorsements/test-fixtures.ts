/** Form fields and inputs the endorsement tests share (used by the tests only; the app never imports this file). */
import { randomBytes } from 'node:crypto';
import { issueFormStamp } from '../../web/form-stamp.ts';
import type { EndorsementInput } from './model.ts';

const suffix = () => randomBytes(4).toString('hex');

/** The organisers' form of a verified endorsement, with any field overridden (undefined leaves it out). */
export function endorsementFields(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    name: `Public Figure ${suffix()}`,
    description: 'host of a TV show',
    quote: 'We stand with them.',
    platform: 'Twitter',
    url: 'https://example.org/post/1',
    lang: 'en',
    date: '2017-07-14',
    date_approximate: undefined,
    status: 'verified',
    evidence_url: '',
    evidence_note: 'Reported in a newspaper.',
    featured: undefined,
    ...overrides,
  };
}

/** A suggestion as a person sends it: a form stamp issued five seconds ago, the honeypot left out. */
export function suggestionFields(formStampKey: Buffer, overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    name: `Suggested Person ${suffix()}`,
    description: 'an actress',
    url: 'https://example.org/status/2',
    quote: 'Count me in.',
    ts: issueFormStamp(formStampKey, Date.now() - 5000),
    ...overrides,
  };
}

export function endorsementInput(overrides: Partial<EndorsementInput> = {}): EndorsementInput {
  return {
    name: `Figure ${suffix()}`,
    description: '',
    quote: '',
    platform: '',
    url: '',
    lang: 'en',
    date: null,
    dateApproximate: false,
    status: 'verified',
    evidenceUrl: '',
    evidenceNote: 'Seen it.',
    featured: false,
    ...overrides,
  };
}
