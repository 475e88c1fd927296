/**
 * Why a signature is kept but not counted until a moderator looks at it: the one list of reasons, as stored in
 * `signatures.suspect_reason`, each with the message key of its label.
 */
export const SUSPECT_REASONS = ['rate', 'stamp:missing', 'stamp:forged', 'stamp:too-fast', 'disposable-domain', 'no-proof-of-work', 'moderator'] as const;

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
