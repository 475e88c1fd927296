/**
 * The "require proof of work" kill switch. Each signing form's signed timestamp is also a puzzle: find a number n such
 * that SHA-256("<stamp>:<n>") starts with POW_BITS zero bits. A browser with JavaScript solves it in about a second;
 * a script signing thousands of times pays that second each time. Each stamp signs once (SpentStamps).
 * Without JavaScript, a person who waits (see MIN_WAIT_WITHOUT_PROOF_MS) is still accepted, marked for review.
 */
export { isProofOfWorkValid, leadingZeroBits, POW_BITS } from '../../../web/proof-of-work.ts';

/** How long a form must have been open before it may be sent without a proof (and then only marked suspect). */
export const MIN_WAIT_WITHOUT_PROOF_MS = 20_000;
