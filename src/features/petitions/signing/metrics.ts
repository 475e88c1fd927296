/**
 * Signing's numbers for /metrics: what became of each attempt, and how the group commit is doing. Counts only: no
 * petition, campaign or person is ever a label.
 */
import { Histogram, type Registry } from 'prom-client';
import type { ErrorCode } from '../../../errors.ts';
import { countByLabel } from '../../../web/metrics.ts';

export type SigningOutcome = 'accepted' | 'suspect' | 'ignored';

export interface SigningMetrics {
  /** A signature committed (`suspect`: set aside for review), or a bot's form thanked and dropped (`ignored`). */
  taken(outcome: SigningOutcome): void;
  /** An attempt refused, by the code of its error (a bad form, too many from one client, signing paused, closed…). */
  refused(code: ErrorCode): void;
  /** One group commit: how many signatures, and the seconds until they were on disk. */
  batch(size: number, seconds: number): void;
}

export function registerSigningMetrics(registry: Registry): SigningMetrics {
  const taken = countByLabel<SigningOutcome>(registry, {
    name: 'outcry_signatures_total',
    help: 'Signatures taken: accepted, set aside as suspect for review, or ignored (a bot filled the hidden field).',
    label: 'outcome',
    values: ['accepted', 'suspect', 'ignored'],
  });
  const refused = countByLabel<ErrorCode>(registry, {
    name: 'outcry_signing_refused_total',
    help: 'Signing attempts refused, by error code (validation_failed, rate_limited, unavailable while paused, gone…).',
    label: 'code',
    values: ['validation_failed', 'rate_limited', 'unavailable'],
  });
  const batchSize = new Histogram({
    name: 'outcry_signing_batch_size',
    help: 'Signatures written per group commit (one transaction per event-loop turn).',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
    registers: [registry],
  });
  const commitSeconds = new Histogram({
    name: 'outcry_signing_commit_seconds',
    help: "From a group commit's start until it is on disk: what each signer in it waits for before the answer.",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return {
    taken,
    refused,
    batch(size, seconds) {
      batchSize.observe(size);
      commitSeconds.observe(seconds);
    },
  };
}
