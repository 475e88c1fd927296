/**
 * Why a signature is kept but not counted until a moderator looks at it: the one list of signals, as stored in
 * `signatures.suspect_reason` (comma-separated when several added up), each with the message key of its label, and
 * the decision that weighs them.
 */
export const SUSPECT_REASONS = [
  'rate',
  'stamp:missing',
  'stamp:forged',
  'stamp:too-fast',
  'stamp:expired',
  'stamp:reused',
  'disposable-domain',
  'no-proof-of-work',
  'moderator',
] as const;

export type SuspectReason = (typeof SUSPECT_REASONS)[number];

/** The reason stored when a moderator sets a signature aside by hand. */
export const MODERATOR_REASON: SuspectReason = 'moderator';

export function isSuspectReason(value: unknown): value is SuspectReason {
  return typeof value === 'string' && (SUSPECT_REASONS as readonly string[]).includes(value);
}

/** The message key of a reason's label (':' and '-' are not key-safe); a reason stored by older code shows as it is. */
export function suspectReasonLabelKey(reason: string): string | undefined {
  return isSuspectReason(reason) ? `petitions.suspectReasons.${reason.replace(/[:-]/g, '_')}` : undefined;
}

/** Where a signature came from: the page's form, or a JSON client (which has no form, hence no form stamp). */
export type SigningChannel = 'form' | 'api';

/**
 * How much each signal says. A confirmed address is strong evidence of a person, so a weak signal (a form filled in
 * under three seconds by autofill, a disposable mail domain, an API client without a form stamp) never sets a
 * signature aside on its own; two of them, or one strong one, do.
 */
function weightOf(signal: SuspectReason, channel: SigningChannel): number {
  switch (signal) {
    case 'stamp:too-fast':
    case 'stamp:expired':
    case 'disposable-domain':
      return 1;
    case 'stamp:missing':
      // Every form on the page carries its stamp: a form post without one was not sent from the page.
      return channel === 'api' ? 1 : 2;
    case 'rate':
    case 'stamp:forged':
    case 'stamp:reused':
    case 'no-proof-of-work':
    case 'moderator':
      return 2;
  }
}

const SUSPECT_AT = 2;

/** The stored reason when the signals add up to a suspect signature (all of them, strongest first), else null. */
export function judgeSignals(signals: readonly SuspectReason[], channel: SigningChannel): string | null {
  const score = signals.reduce((sum, signal) => sum + weightOf(signal, channel), 0);
  if (score < SUSPECT_AT) return null;
  return [...signals].sort((a, b) => weightOf(b, channel) - weightOf(a, channel)).join(',');
}

/** The labels of a stored reason, one per signal; a signal stored by older code shows as it is. */
export function suspectReasonLabelKeys(stored: string): (string | undefined)[] {
  return stored.split(',').map(suspectReasonLabelKey);
}
