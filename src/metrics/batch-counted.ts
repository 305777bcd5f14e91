/** What the metrics count of one settled sync batch (the queue worker calls it). */
import type { JobResult, JobWithMetadata } from 'pg-boss';
import type { SyncOutcome } from '../sync/sync-batch.ts';
import type { SyncMetrics } from './sync-metrics.ts';

/** A settled batch as the metrics count it: outcomes, its run in seconds, and its waiters' latencies. */
export function syncBatchCounted(
  jobs: readonly JobWithMetadata<unknown>[],
  outcomes: Map<string, SyncOutcome>,
  results: readonly JobResult[],
  started: number,
): Parameters<SyncMetrics['batchRecord']> extends [string, ...infer Rest] ? Rest : never {
  const counts = { written: 0, skipped: 0, discarded: 0, rejected: 0, waited: 0, gave_up: 0 };
  const gaveUp = new Set(results.filter((result) => result.status === 'deadletter').map((result) => result.id));
  const latencies: number[] = [];
  const now = Date.now();
  for (const job of jobs) {
    const outcome = outcomes.get(job.id);
    if (!outcome) continue;
    if (outcome.status === 'waiting') counts[gaveUp.has(job.id) ? 'gave_up' : 'waited'] += 1;
    else counts[outcome.status] += 1;
    // A job due later than it was made waited on a parent; it became due when the waker saw the
    // parent in Salesforce (or at its backoff step).
    if (outcome.status === 'written' && job.startAfter.getTime() > job.createdOn.getTime()) latencies.push(Math.max(0, now - job.startAfter.getTime()) / 1000);
  }
  return [counts, (performance.now() - started) / 1000, latencies];
}
