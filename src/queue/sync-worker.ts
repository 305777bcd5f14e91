/**
 * Runs every sync queue on pg-boss: fetches batches, hands them to the sync mechanism, and
 * settles each job by its outcome. A job waiting on a parent spends no execution: it completes
 * with `{ waiting }` and hands over to a successor job due later (or sooner, when the waker sees
 * the parent arrive). Past the wait's time bound it fails for good into the dead-letter queue,
 * with one error line naming the record.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { fromDrizzle, type JobInsert, type JobResult, type JobWithMetadata, type PgBoss } from 'pg-boss';
import type { Drizzle } from '../db/database.ts';
import type { DatabaseReachability } from '../db/database-reachability.ts';
import type { Logger } from '../log.ts';
import { syncBatchCounted } from '../metrics/batch-counted.ts';
import type { SyncMetrics } from '../metrics/sync-metrics.ts';
import type { AnyMirrorObject, MirrorObjectSet } from '../mirror/object-set.ts';
import { syncBatch, type SyncOutcome } from '../sync/sync-batch.ts';
import { batchFailure, MirrorTableMissingError, type ParentNotSyncedError } from '../sync/sync-errors.ts';
import { parentWaitsGiveUp, parentWaitsRecord, type ParentWaitEntry } from './parent-wait.ts';
import { parentWaitMaxSecondsDefault } from './retry-schedule.ts';
import { waitDecide } from './wait-decision.ts';
import { waitSuccessorsSettle, type RecordJob, type WaitSuccessorsChange } from './wait-successor.ts';
import { WaitTally } from './wait-tally.ts';

export interface SyncWorkerOptions {
  /** Syncing on; when false every job is completed as discarded, without writing. */
  enabled: boolean;
  /** Jobs fetched at once per queue; full batches are fetched back to back . */
  batchSize?: number;
  /** Batches of one queue run at once in this process. */
  localConcurrency?: number;
  /** Seconds between polls when idle; LISTEN/NOTIFY wakes workers sooner. At least 0.5. */
  pollingIntervalSeconds?: number;
  /** Multiplies the wait schedule and its time bound: 1 in production; demos and tests shrink it. */
  timeScale?: number;
  /** How long a record may wait for its parents, in seconds (4.5 h). */
  parentWaitMaxSeconds?: number;
  /** Off only for the demo's run without the guard. */
  parentGuard?: boolean;
  /** Only these objects' queues (every object of the set by default). */
  only?: readonly AnyMirrorObject[];
  /** Where each settled batch is counted (the worker's metrics). */
  metrics?: Pick<SyncMetrics, 'batchRecord'>;
  /** Where a batch failed on a lost connection is said: once per outage, not once per batch. */
  reachability?: DatabaseReachability;
}

/** Defaults of the worker's settings. */
export const syncWorkerDefaults = { batchSize: 500, localConcurrency: 1, pollingIntervalSeconds: 2 } as const;

/**
 * Starts a worker on each sync queue. They stop with the pg-boss instance: `boss.stop({ graceful })`
 * waits for running batches and hands back, for retry, the jobs of any that outlive its timeout.
 */
export async function syncWorkStart(boss: PgBoss, db: Drizzle, objects: MirrorObjectSet, log: Logger, options: SyncWorkerOptions): Promise<void> {
  const working = (options.only ?? objects.objects).map((object) => objects.member(object));
  const pollingIntervalSeconds = options.pollingIntervalSeconds ?? syncWorkerDefaults.pollingIntervalSeconds;
  for (const object of working) {
    const queueLog = log.child({ queue: object.queueName });
    const state: QueueState = { tally: new WaitTally(queueLog), tableMissingSaid: false };
    await boss.work(
      object.queueName,
      {
        batchSize: options.batchSize ?? syncWorkerDefaults.batchSize,
        localConcurrency: options.localConcurrency ?? syncWorkerDefaults.localConcurrency,
        burstWhenBatchFull: true,
        pollingIntervalSeconds,
        // Every path that makes a job runnable NOTIFYs (send, sync_enqueue, the waker's update),
        // so polling is only the floor for a lost notification.
        notifyPollingIntervalSeconds: pollingIntervalSeconds,
        includeMetadata: true,
        perJobResults: true,
      },
      (jobs) =>
        batchHandle(boss, db, objects, queueLog, state, object, jobs, options).then(
          (results) => {
            options.reachability?.answered();
            return results;
          },
          (error: unknown) => {
            // pg-boss stores what a handler throws in every job's output: never Drizzle's statement.
            const failure = batchFailure(error);
            if (!options.reachability?.failed(error, `batch of ${object.queue}`)) {
              queueLog.warn({ jobs: jobs.length, errorClass: failure.errorClass, sqlState: failure.sqlState }, `batch of ${jobs.length} jobs failed, to be retried: ${failure.message}`);
            }
            throw failure;
          },
        ),
    );
  }
  log.info({ queues: working.map((object) => object.queueName), enabled: options.enabled }, 'sync workers started');
}

type Waiting = { job: JobWithMetadata<unknown>; recordId: string; error: ParentNotSyncedError };

/** What a queue's worker keeps from batch to batch. */
interface QueueState {
  tally: WaitTally;
  /** The object's own mirror table was found missing and said so; said again only after it came back. */
  tableMissingSaid: boolean;
}

async function batchHandle(
  boss: PgBoss,
  db: Drizzle,
  objects: MirrorObjectSet,
  log: Logger,
  state: QueueState,
  object: AnyMirrorObject,
  jobs: JobWithMetadata<unknown>[],
  options: SyncWorkerOptions,
): Promise<JobResult[]> {
  const started = performance.now();
  let outcomes: Map<string, SyncOutcome>;
  try {
    outcomes = await syncBatch(db, objects, object, jobs, options);
    state.tableMissingSaid = false;
  } catch (error) {
    // Nothing of the object can be written until Connect makes its table again: a person should
    // know, once, while the batch's jobs retry as after any real error.
    if (error instanceof MirrorTableMissingError && !state.tableMissingSaid) log.error({ jobs: jobs.length }, error.message);
    if (error instanceof MirrorTableMissingError) state.tableMissingSaid = true;
    throw error;
  }
  const results: JobResult[] = [];
  const waiting: Waiting[] = [];
  const done: string[] = [];
  const written: RecordJob[] = [];
  // Only a job due later than it was created (a successor, or one the waker brought forward) can
  // be a successor or have a wait on record.
  const successorLike = (job: JobWithMetadata<unknown>) => job.startAfter.getTime() > job.createdOn.getTime();
  for (const job of jobs) {
    const outcome = outcomes.get(job.id);
    if (!outcome) continue; // pg-boss fails (and retries) a job left without a result
    if (outcome.status === 'waiting') {
      waiting.push({ job, recordId: outcome.recordId, error: outcome.error });
      continue;
    }
    if (outcome.status === 'written') written.push({ recordKey: outcome.recordId, jobId: job.id });
    const key = 'recordId' in outcome && outcome.recordId !== undefined ? outcome.recordId : job.singletonKey;
    if (key && successorLike(job)) done.push(key);
    const jobLog = log.child({ jobId: job.id, recordId: 'recordId' in outcome ? outcome.recordId : undefined });
    results.push(outcomeSettle(jobLog, object, job, outcome));
  }
  const successors = {
    ran: jobs.filter((job) => outcomes.has(job.id) && successorLike(job)).map((job) => job.id),
    written,
    // The batch's reads began after its jobs were fetched.
    fetchedAt: new Date(Math.min(...jobs.map((job) => job.startedOn.getTime()))),
  };
  results.push(...(await waitingSettle(boss, db, log, object, waiting, done, successors, options)));
  state.tally.add(waiting.map(({ error }) => error.parent));
  options.metrics?.batchRecord(object.queue, ...syncBatchCounted(jobs, outcomes, results, started));
  return results;
}

function outcomeSettle(log: Logger, object: AnyMirrorObject, job: JobWithMetadata<unknown>, outcome: Exclude<SyncOutcome, { status: 'waiting' }>): JobResult {
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
  }
}

/**
 * Settles the batch's waiting jobs set-wise. pg-boss has no public "park without counting a
 * retry": failing a job spends one of its executions, `update()` cannot touch an active job, and
 * re-parking the row by a direct UPDATE of pgboss.job would write behind pg-boss's back. So each
 * waiting job completes (its output says what it waits for) and, before it does, ONE `insert` per
 * batch enqueues its successors: the same payload and record key, due after the polynomial
 * backoff, with the retries the job had left. The wait count and the time waited live in
 * connect_sync.parent_wait, written in the same transaction as the successors, which are marked
 * as such in connect_sync.wait_successor; queued successors of the records the batch wrote are
 * completed as superseded by the same statement (wait-successor.ts). (`work()`'s
 * `transactional` mode cannot be combined with `perJobResults`, so the completion itself is
 * pg-boss's own statement after this commits: a crash between the two leaves the job active
 * until it expires and is retried; the record is then synced twice, one run after the other.)
 */
async function waitingSettle(
  boss: PgBoss,
  db: Drizzle,
  log: Logger,
  object: AnyMirrorObject,
  waiting: readonly Waiting[],
  done: readonly string[],
  successors: Omit<WaitSuccessorsChange, 'enqueued'>,
  options: SyncWorkerOptions,
): Promise<JobResult[]> {
  const waitingKeys = new Set(waiting.map(({ recordId }) => recordId));
  const forget = done.filter((key) => !waitingKeys.has(key));
  if (waiting.length === 0) {
    await parentWaitsRecord(db, object.queueName, forget, []);
    // A batch of first runs costs no statement here: a record one of them wrote still has its
    // wait on record (only a successor's run forgets it), so the waker brings its queued
    // successors forward at once; they find the row written and complete.
    if (successors.ran.length > 0) supersededSay(log, await waitSuccessorsSettle(db, object.queueName, { ...successors, enqueued: [] }));
    return [];
  }
  const timeScale = options.timeScale ?? 1;
  const maxWaitSeconds = (options.parentWaitMaxSeconds ?? parentWaitMaxSecondsDefault) * timeScale;
  const entries: ParentWaitEntry[] = waiting.map(({ job, recordId, error }) => ({
    recordKey: recordId,
    parent: error.parent,
    parentKey: error.value,
    // An update-only object waits for its own row to exist, not for an sfid.
    needsSfid: !(object.write === 'update' && error.parent === object.name),
    createdOn: job.createdOn,
    firstRun: job.startAfter.getTime() <= job.createdOn.getTime(),
  }));
  const results: JobResult[] = [];
  const gaveUp: string[] = [];
  let superseded = 0;
  await db.transaction(async (tx) => {
    const states = await parentWaitsRecord(tx, object.queueName, forget, entries);
    const enqueued: JobInsert[] = [];
    const marked: RecordJob[] = [];
    for (const { job, recordId, error } of waiting) {
      const state = states.get(recordId) ?? { waits: 1, waitedSeconds: 0, gaveUp: false };
      const output = { waiting: error.message, ...errorOutput(error), parent: error.parent, mirrorRowExists: error.mirrorRowExists, waits: state.waits };
      const jobLog = log.child({ jobId: job.id, recordId });
      const decision = waitDecide(state, { maxWaitSeconds, timeScale });
      if (decision.kind === 'give-up') {
        const { waitedSeconds } = decision;
        jobLog.error(
          { waits: state.waits, waitedSeconds, parent: error.parent },
          `${object.record} ${recordId} gave up on ${object.name} after waiting ${duration(waitedSeconds)} (${state.waits} waits): ${error.message}`,
        );
        gaveUp.push(recordId);
        const { waiting: _waiting, ...failure } = output;
        results.push({ id: job.id, status: 'deadletter', output: failure });
        continue;
      }
      const startAfter = decision.startAfterSeconds;
      const id = randomUUID();
      marked.push({ jobId: id, recordKey: recordId });
      enqueued.push({
        id,
        data: job.data as object,
        singletonKey: job.singletonKey ?? recordId,
        startAfter,
        retryLimit: Math.max(0, job.retryLimit - job.retryCount),
      });
      jobLog.debug({ waits: state.waits, nextRunInSeconds: Math.round(startAfter * 10) / 10 }, `waiting: ${error.message}`);
      results.push({ id: job.id, status: 'completed', output: { ...output, nextRunInSeconds: Math.round(startAfter * 1000) / 1000 } });
    }
    if (enqueued.length > 0) await boss.insert(object.queueName, enqueued, { db: fromDrizzle(tx, sql) });
    await parentWaitsGiveUp(tx, object.queueName, gaveUp);
    superseded = await waitSuccessorsSettle(tx, object.queueName, { ...successors, enqueued: marked });
  });
  supersededSay(log, superseded);
  return results;
}

function supersededSay(log: Logger, settled: number): void {
  if (settled > 0) log.debug({ settled }, `${settled} queued successors superseded: their records are written`);
}

function errorOutput(error: Error): { name: string; message: string } {
  return { name: error.name, message: error.message };
}

function duration(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
