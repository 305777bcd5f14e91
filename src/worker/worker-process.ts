/**
 * The long-running worker, for one Heroku worker dyno or inside a host app's process: runs every
 * sync queue, logs a periodic summary of queue depths, and stops within Heroku's 30 seconds,
 * handing any job still running back to the queue for a retry.
 */
import { randomBytes } from 'node:crypto';
import type { PgBoss } from 'pg-boss';
import type { Settings } from '../config.ts';
import type { Database } from '../db/database.ts';
import type { Logger } from '../log.ts';
import { reconcilerStart } from '../ops/reconciler.ts';
import { bossCreate } from '../queue/boss.ts';
import { parentWakerStart } from '../queue/parent-waker.ts';
import { syncWorkStart, type SyncWorkerOptions } from '../queue/sync-worker.ts';
import type { SyncConfig } from '../sync-config.ts';
import { queueDepthsLine, queueDepthsRead } from './queue-summary.ts';
import { backendStatementsCancel, poolBusyTrack } from './statement-cancel.ts';
import { workerPreflightWhenReachable } from './worker-preflight.ts';

/**
 * Heroku sends SIGKILL 30 s after SIGTERM. Running jobs get this long; then the jobs still
 * running are handed back and their statements cancelled, leaving a margin to close connections.
 */
export const shutdownTimeoutMs = 20_000;

/** After the hand-back, how long stop() keeps cancelling statements that are still running. */
const cancelWindowMs = 4_000;

/** How long after the deadline pg-boss may take to hand the running jobs back before its own statements are cancelled too. */
const bossStuckMs = 2_000;

export interface WorkerProcess {
  /** The pg-boss the workers run on: the host's when it gave one, else the worker's own. */
  boss: PgBoss;
  /** Stops fetching, waits up to `timeoutMs` for running jobs, then hands the rest back. */
  stop(timeoutMs?: number): Promise<void>;
}

export type WorkerStartOptions = Partial<Omit<SyncWorkerOptions, 'enabled'>> & {
  /** Seconds between the waker's checks for parents that arrived (PARENT_WAKE_SECONDS, 0.5); 0: backoff only. */
  parentWakeSeconds?: number;
  /**
   * The host's own pg-boss, started by the host: the workers run on it (no pool of their own),
   * and `stop()` takes them off it and leaves it running. Without it the worker makes its own.
   */
  boss?: PgBoss;
  /**
   * At stop's deadline, cancel the statements still running on the database's pool (default
   * true). A host that shares its own pool with the worker and must keep its own long statements
   * running through the worker's stop turns it off; the stop then waits for them.
   */
  cancelStatementsOnStop?: boolean;
  /** Ends a start-up still waiting for an unreachable database (SIGTERM); the start then throws. */
  signal?: AbortSignal;
};

/**
 * Starts the sync workers and, when `RECONCILER_CRON` is given, the self-healing reconciler
 * (the `worker` command passes it; the demo and tests leave it out).
 */
export async function workerStart(
  database: Database,
  config: SyncConfig,
  log: Logger,
  settings: Pick<Settings, 'SALESFORCE_ENABLED' | 'WORKER_SUMMARY_SECONDS'> & Partial<Pick<Settings, 'RECONCILER_CRON' | WorkerTuning>>,
  options: WorkerStartOptions = {},
): Promise<WorkerProcess> {
  const { boss: hostBoss, parentWakeSeconds, cancelStatementsOnStop = true, signal, ...workerOptions } = { ...workerTuningOf(settings), ...options };
  await workerPreflightWhenReachable(database, config, log, signal);
  // Our own connection name, so stop() can find (and cancel) this worker's statements alone.
  const applicationName = hostBoss ? undefined : `connect-sync worker ${randomBytes(4).toString('hex')}`;
  const boss = hostBoss ?? bossCreate(database, log, { supervise: true, listen: true, poolSize: 10, applicationName });
  const busy = cancelStatementsOnStop ? poolBusyTrack(database.pool) : undefined;
  if (!hostBoss) await boss.start();
  await syncWorkStart(boss, database.db, config.objects, log, { enabled: settings.SALESFORCE_ENABLED, ...workerOptions });
  const waker = parentWakerStart(boss, database.db, config.objects, log, { intervalSeconds: parentWakeSeconds });
  if (settings.RECONCILER_CRON !== undefined) {
    await reconcilerStart(boss, database, config, log, { RECONCILER_CRON: settings.RECONCILER_CRON, SALESFORCE_ENABLED: settings.SALESFORCE_ENABLED });
  }
  if (!settings.SALESFORCE_ENABLED) log.warn('SALESFORCE_ENABLED is not true: jobs that run are discarded without writing');

  const summary =
    settings.WORKER_SUMMARY_SECONDS > 0
      ? setInterval(() => {
          queueDepthsRead(database.db)
            .then((depths) => log.info({ depths }, queueDepthsLine(depths)))
            .catch((error: Error) => log.warn({ err: error }, 'queue summary failed'));
        }, settings.WORKER_SUMMARY_SECONDS * 1000)
      : undefined;
  summary?.unref();

  /**
   * Cancels what this worker's connections still run; returns how many statements. `withBoss`
   * reaches pg-boss's own connections too: only once its shutdown is itself stuck, since at the
   * deadline pg-boss is handing the running jobs back on them and a cancel there leaves the jobs
   * active until they expire.
   */
  const statementsCancel = async (withBoss: boolean): Promise<number> => {
    const pids = busy?.pids() ?? [];
    const bossConnections = withBoss ? applicationName : undefined;
    if (pids.length === 0 && !bossConnections) return 0;
    try {
      return await backendStatementsCancel(database, { pids, applicationName: bossConnections });
    } catch (error) {
      log.warn({ err: error }, 'could not cancel running statements');
      return 0;
    }
  };

  let stopping: Promise<void> | undefined;
  return {
    boss,
    stop(timeoutMs = shutdownTimeoutMs) {
      stopping ??= (async () => {
        clearInterval(summary);
        await waker.stop();
        log.info({ timeoutMs }, 'worker stopping: waiting for running jobs');
        // At the deadline a handler's statement still running (blocked on a lock, say) is
        // cancelled, so the stop never outlasts it; the batch fails and its jobs go back to the queue.
        let cancelled = 0;
        const cancelLater = (afterMs: number, withBoss: boolean) =>
          busy ? setTimeout(() => void statementsCancel(withBoss).then((count) => (cancelled += count)), afterMs) : undefined;
        const deadlines = [cancelLater(timeoutMs, false), cancelLater(timeoutMs + bossStuckMs, true)];
        try {
          if (hostBoss) {
            // The host's pg-boss keeps running; only our workers leave it, finishing their batches.
            const queues = (workerOptions.only ?? config.objects.objects).map((object) => object.queueName);
            await Promise.all(queues.map((queue) => boss.offWork(queue, { wait: true })));
          } else {
            await boss.stop({ graceful: true, timeout: timeoutMs });
          }
        } finally {
          deadlines.forEach((deadline) => clearTimeout(deadline));
        }
        // Handlers pg-boss gave up on may still hold a pool connection in a blocked statement;
        // the pool (and so the process) would wait for it. pg-boss's own pool is closed by now.
        for (const until = Date.now() + cancelWindowMs; busy && busy.pids().length > 0 && Date.now() < until; ) {
          cancelled += await statementsCancel(true);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        busy?.dispose();
        log.info({ cancelledStatements: cancelled }, 'worker stopped');
      })();
      return stopping;
    },
  };
}

type WorkerTuning = 'WORKER_BATCH_SIZE' | 'WORKER_CONCURRENCY' | 'WORKER_POLLING_SECONDS' | 'PARENT_WAIT_MAX_SECONDS' | 'PARENT_WAKE_SECONDS';

/** The worker's tuning settings given in the environment, as options (unset ones left out). */
function workerTuningOf(settings: Partial<Pick<Settings, WorkerTuning>>): WorkerStartOptions {
  const tuning: WorkerStartOptions = {
    batchSize: settings.WORKER_BATCH_SIZE,
    localConcurrency: settings.WORKER_CONCURRENCY,
    pollingIntervalSeconds: settings.WORKER_POLLING_SECONDS,
    parentWaitMaxSeconds: settings.PARENT_WAIT_MAX_SECONDS,
    parentWakeSeconds: settings.PARENT_WAKE_SECONDS,
  };
  return Object.fromEntries(Object.entries(tuning).filter(([, value]) => value !== undefined));
}
