/**
 * Runs every sync queue on pg-boss: fetches batches, hands them to the sync mechanism, and
 * settles each job by its outcome. A job waiting on a parent is failed back to pg-boss and
 * re-timed to the polynomial schedule; its last execution fails for good into the dead-letter
 * queue, with one error line naming the record.
 */
import type { JobResult, JobWithMetadata, PgBoss } from 'pg-boss';
import type { Drizzle } from '../db/database.ts';
import type { Logger } from '../log.ts';
import type { AnyMirrorObject, MirrorObjectSet } from '../mirror/object-set.ts';
import { syncBatch, type SyncOutcome } from '../sync/sync-batch.ts';
import { retryDelaySeconds } from './retry-schedule.ts';

export interface SyncWorkerOptions {
  /** SALESFORCE_ENABLED. */
  enabled: boolean;
  /** Jobs fetched at once per queue; full batches are fetched back to back. */
  batchSize?: number;
  /** Seconds between polls when idle (LISTEN/NOTIFY wakes workers sooner). At least 0.5. */
  pollingIntervalSeconds?: number;
  /** Multiplies the retry schedule: 1 in production; demos and tests shrink it. */
  timeScale?: number;
  /** Off only for the demo's run without the guard. */
  parentGuard?: boolean;
  /** Only these objects' queues (every object of the set by default). */
  only?: readonly AnyMirrorObject[];
}

/**
 * Starts a worker on each sync queue. They stop with the pg-boss instance: `boss.stop({ graceful })`
 * waits for running batches and hands back, for retry, the jobs of any that outlive its timeout.
 */
export async function syncWorkStart(boss: PgBoss, db: Drizzle, objects: MirrorObjectSet, log: Logger, options: SyncWorkerOptions): Promise<void> {
  const working = (options.only ?? objects.objects).map((object) => objects.member(object));
  for (const object of working) {
    const queueLog = log.child({ queue: object.queueName });
    await boss.work(
      object.queueName,
      {
        batchSize: options.batchSize ?? 50,
        burstWhenBatchFull: true,
        pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2,
        // Jobs enqueued from SQL (connect_sync.sync_enqueue) send no NOTIFY; polling finds them.
        notifyPollingIntervalSeconds: options.pollingIntervalSeconds ?? 2,
        includeMetadata: true,
        perJobResults: true,
      },
      (jobs) => batchHandle(boss, db, objects, queueLog, object, jobs, options),
    );
  }
  log.info({ queues: working.map((object) => object.queueName), enabled: options.enabled }, 'sync workers started');
}

async function batchHandle(
  boss: PgBoss,
  db: Drizzle,
  objects: MirrorObjectSet,
  log: Logger,
  object: AnyMirrorObject,
  jobs: JobWithMetadata<unknown>[],
  options: SyncWorkerOptions,
): Promise<JobResult[]> {
  const outcomes = await syncBatch(db, objects, object, jobs, options);
  const results: JobResult[] = [];
  for (const job of jobs) {
    const outcome = outcomes.get(job.id);
    if (!outcome) continue; // pg-boss fails (and retries) a job left without a result
    const jobLog = log.child({ jobId: job.id, recordId: 'recordId' in outcome ? outcome.recordId : undefined });
    results.push(await outcomeSettle(boss, jobLog, object, job, outcome, options.timeScale ?? 1));
  }
  return results;
}

async function outcomeSettle(
  boss: PgBoss,
  log: Logger,
  object: AnyMirrorObject,
  job: JobWithMetadata<unknown>,
  outcome: SyncOutcome,
  timeScale: number,
): Promise<JobResult> {
  switch (outcome.status) {
    case 'written':
      log.debug(`${object.name} written`);
      return { id: job.id, status: 'completed', output: { written: object.name } };
    case 'skipped':
      log.debug({ reason: outcome.reason }, `${object.record} not synced`);
      return { id: job.id, status: 'completed', output: { skipped: outcome.reason } };
    case 'discarded':
      log.info({ reason: outcome.reason }, 'sync job discarded');
      return { id: job.id, status: 'completed', output: { discarded: outcome.reason } };
    case 'rejected':
      log.error({ error: outcome.error.name, data: job.data }, `sync job rejected, not retried: ${outcome.error.message}`);
      return { id: job.id, status: 'deadletter', output: errorOutput(outcome.error) };
    case 'waiting': {
      const output = { ...errorOutput(outcome.error), parent: outcome.error.parent, mirrorRowExists: outcome.error.mirrorRowExists };
      const executions = job.retryCount + 1;
      if (job.retryCount >= job.retryLimit) {
        const waitedSeconds = Math.round((Date.now() - job.createdOn.getTime()) / 1000);
        log.error(
          { executions, waitedSeconds, parent: outcome.error.parent },
          `${object.record} ${outcome.recordId} gave up on ${object.name} after ${executions} executions over ${duration(waitedSeconds)}: ${outcome.error.message}`,
        );
        return { id: job.id, status: 'failed', output };
      }
      // Fail this attempt ourselves, then re-time the retry: pg-boss's own backoff is exponential.
      // The job is no longer active, so pg-boss's completion of it afterwards matches nothing.
      await boss.fail(object.queueName, job.id, output);
      const startAfter = retryDelaySeconds(executions, { timeScale });
      await boss.update({ name: object.queueName, options: { id: job.id, startAfter } });
      log.info({ executions, retryInSeconds: Math.round(startAfter * 10) / 10 }, `waiting: ${outcome.error.message}`);
      return { id: job.id, status: 'completed', output };
    }
  }
}

function errorOutput(error: Error): { name: string; message: string } {
  return { name: error.name, message: error.message };
}

function duration(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
