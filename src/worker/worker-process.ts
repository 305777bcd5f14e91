/**
 * The long-running worker, for one Heroku worker dyno or inside a host app's process: runs every
 * sync queue, logs a periodic summary of queue depths, and stops within Heroku's 30 seconds,
 * handing any job still running back to the queue for a retry.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { PgBoss } from 'pg-boss';
import type { Database } from '../db/database.ts';
import type { Logger } from '../log.ts';
import { SyncMetrics } from '../metrics/sync-metrics.ts';
import { reconcilerStart } from '../ops/reconciler.ts';
import { bossCreate } from '../queue/boss.ts';
import { parentWakerStart } from '../queue/parent-waker.ts';
import { syncWorkStart } from '../queue/sync-worker.ts';
import type { SyncConfig } from '../sync-config.ts';
import { queueDepthsLine } from './queue-summary.ts';
import { backendStatementsCancel, poolBusyTrack } from './statement-cancel.ts';
import { workerConfigResolve, type WorkerConfig } from './worker-config.ts';
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

/** The parts a worker started, as its "worker started" line says. */
export interface WorkerParts {
  /** The sync queues it works. */
  queues: string[];
  /** Whether it writes (false: every job is completed as discarded). */
  enabled: boolean;
  batchSize: number;
  localConcurrency: number;
  pollingIntervalSeconds: number;
  parentWaitMaxSeconds: number;
  /** The waker's interval in seconds, or `off`. */
  waker: number | 'off';
  /** The reconciler's cron, or `off`. */
  reconciler: string;
  /** Seconds between queue summaries, or `off`. */
  summaries: number | 'off';
}

export interface WorkerProcess {
  /** The pg-boss the workers run on: the host's when it gave one, else the worker's own. */
  boss: PgBoss;
  /** What it started. */
  parts: WorkerParts;
  /** The sync's metrics; `metrics.registry` is the host's registry when it passed one. */
  metrics: SyncMetrics;
  /** Stops fetching, waits up to `timeoutMs` for running jobs, then hands the rest back. */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Starts the sync workers, the waker, the self-healing reconciler and the queue summaries, as
 * `workerConfig` says (`connect-sync worker` maps the environment onto it; every field has the
 * same default both ways). A worker that would discard says so first, before anything else.
 */
export async function workerStart(database: Database, config: SyncConfig, log: Logger, workerConfig: WorkerConfig = {}): Promise<WorkerProcess> {
  const settings = workerConfigResolve(workerConfig);
  if (!settings.enabled) {
    log.warn('syncing is off (SALESFORCE_ENABLED=false, or enabled: false): every job this worker takes is completed as discarded, without writing');
  }
  const { boss: hostBoss, cancelStatementsOnStop } = settings;
  await workerPreflightWhenReachable(database, config, log, settings.signal);
  // Our own connection name, so stop() can find (and cancel) this worker's statements alone.
  const applicationName = hostBoss ? undefined : `connect-sync worker ${randomBytes(4).toString('hex')}`;
  const boss = hostBoss ?? bossCreate(database, log, { supervise: true, listen: true, poolSize: database.budget?.boss ?? 10, applicationName });
  const busy = cancelStatementsOnStop ? poolBusyTrack(database.pool) : undefined;
  if (!hostBoss) await boss.start();
  const working = settings.only ?? config.objects.objects;
  const metrics = new SyncMetrics(database, config, { registry: settings.registry, batches: true, log });
  await syncWorkStart(boss, database.db, config.objects, log, {
    metrics,
    enabled: settings.enabled,
    batchSize: settings.batchSize,
    localConcurrency: settings.localConcurrency,
    pollingIntervalSeconds: settings.pollingIntervalSeconds,
    timeScale: settings.timeScale,
    parentWaitMaxSeconds: settings.parentWaitMaxSeconds,
    parentGuard: settings.parentGuard,
    only: working,
  });
  const waker = parentWakerStart(boss, database.db, config.objects, log, { intervalSeconds: settings.parentWakeSeconds });
  await reconcilerStart(boss, database, config, log, { cron: settings.reconcilerCron, enabled: settings.enabled });
  const parts: WorkerParts = {
    queues: working.map((object) => config.objects.member(object).queueName),
    enabled: settings.enabled,
    batchSize: settings.batchSize,
    localConcurrency: settings.localConcurrency,
    pollingIntervalSeconds: settings.pollingIntervalSeconds,
    parentWaitMaxSeconds: settings.parentWaitMaxSeconds,
    waker: settings.parentWakeSeconds > 0 ? settings.parentWakeSeconds : 'off',
    reconciler: settings.reconcilerCron,
    summaries: settings.summarySeconds > 0 ? settings.summarySeconds : 'off',
  };
  log.info(parts, 'worker started');

  // The summary line, and the same collection as Heroku log-based metrics (l2met) lines.
  const source = process.env.DYNO ?? hostname();
  const summary =
    settings.summarySeconds > 0
      ? setInterval(() => {
          metrics
            .summary(source)
            .then(({ depths, l2met }) => {
              log.info({ depths }, queueDepthsLine(depths));
              for (const line of l2met) log.info(line);
            })
            .catch((error: Error) => log.warn({ err: error }, 'queue summary failed'));
        }, settings.summarySeconds * 1000)
      : undefined;
  summary?.unref();
  const metricsFlush = () => metrics.flush().catch((error: Error) => log.warn({ err: error }, `metrics could not be saved: ${error.message}`));
  const sampler = setInterval(metricsFlush, settings.metricsSampleSeconds * 1000);
  sampler.unref();

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
    parts,
    metrics,
    stop(timeoutMs = shutdownTimeoutMs) {
      stopping ??= (async () => {
        clearInterval(summary);
        clearInterval(sampler);
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
            const queues = parts.queues;
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
        // What this worker counted since its last sample joins the totals before it goes.
        await metricsFlush();
        log.info({ cancelledStatements: cancelled }, 'worker stopped');
      })();
      return stopping;
    },
  };
}
