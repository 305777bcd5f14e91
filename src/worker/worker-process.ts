/**
 * The long-running worker, for one Heroku worker dyno or inside a host app's process: runs every
 * sync queue, logs a periodic summary of queue depths, and stops within Heroku's 30 seconds,
 * handing any job still running back to the queue for a retry.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { PgBoss } from 'pg-boss';
import type { Database } from '../db/database.ts';
import { DatabaseReachability } from '../db/database-reachability.ts';
import type { Logger } from '../log.ts';
import { otelGlobalMeter } from '../metrics/otel-metrics.ts';
import { queueCountsLine } from '../metrics/queue-counts.ts';
import { SyncMetrics } from '../metrics/sync-metrics.ts';
import type { AnyMirrorObject } from '../mirror/object-set.ts';
import { reconcilerStart } from '../ops/reconciler.ts';
import { bossCreate } from '../queue/boss.ts';
import { parentWakerStart, type ParentWaker } from '../queue/parent-waker.ts';
import { syncWorkStart } from '../queue/sync-worker.ts';
import type { SyncConfig } from '../sync-config.ts';
import { statementFailure } from '../sync/statement-errors.ts';
import { backendStatementsCancel, poolBusyTrack } from './statement-cancel.ts';
import { workerConfigResolve, type WorkerConfig, type WorkerConfigResolved } from './worker-config.ts';
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
  // Every part reports its lost connections here: one line when the database goes, one when it is back.
  const reachability = new DatabaseReachability(database, log);
  await workerPreflightWhenReachable(database, config, reachability, settings.signal);
  // Before anything starts: a missing @opentelemetry/api stops the start with nothing to undo.
  const meter = settings.meter === 'global' ? await otelGlobalMeter() : settings.meter;
  const busy = settings.cancelStatementsOnStop ? poolBusyTrack(database.pool) : undefined;
  const { boss, applicationName } = await workerBossStart(database, log, settings, reachability);
  const working = settings.only ?? config.objects.objects;
  const metrics = new SyncMetrics(database, config, { registry: settings.registry, meter, batches: true, log, reachability });
  await syncWorkStart(boss, database.db, config.objects, log, {
    metrics,
    reachability,
    enabled: settings.enabled,
    batchSize: settings.batchSize,
    localConcurrency: settings.localConcurrency,
    pollingIntervalSeconds: settings.pollingIntervalSeconds,
    timeScale: settings.timeScale,
    parentWaitMaxSeconds: settings.parentWaitMaxSeconds,
    parentGuard: settings.parentGuard,
    only: working,
  });
  const waker = parentWakerStart(boss, database.db, config.objects, log, { intervalSeconds: settings.parentWakeSeconds, reachability });
  await reconcilerStart(boss, database, config, log, { cron: settings.reconcilerCron, enabled: settings.enabled, reachability });
  const parts = workerParts(config, settings, working);
  log.info(parts, 'worker started');
  const summaries = summariesStart(metrics, log, settings, reachability);

  const running: RunningWorker = { database, log, boss, hostBoss: Boolean(settings.boss), applicationName, busy, parts, waker, summaries, reachability };
  let stopping: Promise<void> | undefined;
  return {
    boss,
    parts,
    metrics,
    stop(timeoutMs = shutdownTimeoutMs) {
      stopping ??= workerStop(running, timeoutMs);
      return stopping;
    },
  };
}

/**
 * The pg-boss the workers run on: the host's, already started, or one of our own, started here
 * under a connection name of its own, so stop() can find (and cancel) this worker's statements alone.
 */
async function workerBossStart(
  database: Database,
  log: Logger,
  settings: WorkerConfigResolved,
  reachability: DatabaseReachability,
): Promise<{ boss: PgBoss; applicationName?: string }> {
  if (settings.boss) return { boss: settings.boss };
  const applicationName = `connect-sync worker ${randomBytes(4).toString('hex')}`;
  const boss = bossCreate(database, log, { supervise: true, listen: true, poolSize: database.budget?.boss ?? 10, applicationName, reachability });
  await boss.start();
  return { boss, applicationName };
}

/** What the "worker started" line says it started. */
function workerParts(config: SyncConfig, settings: WorkerConfigResolved, working: readonly AnyMirrorObject[]): WorkerParts {
  return {
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
}

/** The periodic lines and samples: `stop()` ends the timers, `flush()` saves the counts now. */
interface Summaries {
  stop(): void;
  flush(): Promise<void>;
}

/**
 * The summary line every `summarySeconds` (with the same collection as Heroku log-based metrics,
 * l2met, lines), and this worker's counts added to the database's totals every `metricsSampleSeconds`.
 * While the database is unreachable both are skipped: the counts wait for the next sample.
 */
function summariesStart(metrics: SyncMetrics, log: Logger, settings: WorkerConfigResolved, reachability: DatabaseReachability): Summaries {
  const source = process.env.DYNO ?? hostname();
  const failed = (what: string) => (error: unknown) => {
    if (reachability.failed(error, what)) return;
    const { errorClass, sqlState, message } = statementFailure(error);
    log.warn({ errorClass, sqlState }, `${what} failed: ${message}`);
  };
  const summary =
    settings.summarySeconds > 0
      ? setInterval(() => {
          if (!reachability.reachable) return;
          metrics
            .summary(source)
            .then(({ counts, l2met }) => {
              reachability.answered();
              log.info({ counts }, queueCountsLine(counts));
              for (const line of l2met) log.info(line);
            })
            .catch(failed('queue summary'));
        }, settings.summarySeconds * 1000)
      : undefined;
  summary?.unref();
  const save = () => metrics.flush().then(() => reachability.answered(), failed('saving the metrics'));
  const sampler = setInterval(() => reachability.reachable && void save(), settings.metricsSampleSeconds * 1000);
  sampler.unref();
  return {
    stop() {
      clearInterval(summary);
      clearInterval(sampler);
    },
    flush: save,
  };
}

/** What stop() needs of a started worker. */
interface RunningWorker {
  database: Database;
  log: Logger;
  boss: PgBoss;
  /** Whether `boss` is the host's (left running) rather than our own. */
  hostBoss: boolean;
  /** Our own pg-boss's connection name; none on the host's. */
  applicationName: string | undefined;
  busy: ReturnType<typeof poolBusyTrack> | undefined;
  parts: WorkerParts;
  waker: ParentWaker;
  summaries: Summaries;
  reachability: DatabaseReachability;
}

/**
 * The stop, in three phases: (1) stop fetching and wait up to `timeoutMs` for running jobs,
 * cancelling at the deadline what still runs; (2) cancel, for a short window, the statements of
 * handlers pg-boss gave up on; (3) save the counts and say so.
 */
async function workerStop(worker: RunningWorker, timeoutMs: number): Promise<void> {
  const { log, busy } = worker;
  worker.summaries.stop();
  await worker.waker.stop();
  log.info({ timeoutMs }, 'worker stopping: waiting for running jobs');
  // Counted across the phases: a deadline's cancel may finish after phase 1 has returned.
  const cancelled = { statements: 0 };
  await runningJobsSettle(worker, timeoutMs, cancelled);
  // Handlers pg-boss gave up on may still hold a pool connection in a blocked statement;
  // the pool (and so the process) would wait for it. pg-boss's own pool is closed by now.
  for (const until = Date.now() + cancelWindowMs; busy && busy.pids().length > 0 && Date.now() < until; ) {
    cancelled.statements += await statementsCancel(worker, true);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  busy?.dispose();
  // What this worker counted since its last sample joins the totals before it goes.
  await worker.summaries.flush();
  worker.reachability.stop();
  log.info({ cancelledStatements: cancelled.statements }, 'worker stopped');
}

/**
 * Phase 1: the workers leave pg-boss (the host's keeps running; ours stops), finishing their
 * batches. At the deadline a handler's statement still running (blocked on a lock, say) is
 * cancelled, so the stop never outlasts it; the batch fails and its jobs go back to the queue.
 * Adds the statements cancelled to `cancelled`.
 */
async function runningJobsSettle(worker: RunningWorker, timeoutMs: number, cancelled: { statements: number }): Promise<void> {
  const { boss, busy } = worker;
  const cancelLater = (afterMs: number, withBoss: boolean) =>
    busy ? setTimeout(() => void statementsCancel(worker, withBoss).then((count) => (cancelled.statements += count)), afterMs) : undefined;
  const deadlines = [cancelLater(timeoutMs, false), cancelLater(timeoutMs + bossStuckMs, true)];
  try {
    if (worker.hostBoss) {
      await Promise.all(worker.parts.queues.map((queue) => boss.offWork(queue, { wait: true })));
    } else {
      await boss.stop({ graceful: true, timeout: timeoutMs });
    }
  } finally {
    deadlines.forEach((deadline) => clearTimeout(deadline));
  }
}

/**
 * Cancels what this worker's connections still run; returns how many statements. `withBoss`
 * reaches pg-boss's own connections too: only once its shutdown is itself stuck, since at the
 * deadline pg-boss is handing the running jobs back on them and a cancel there leaves the jobs
 * active until they expire.
 */
async function statementsCancel(worker: RunningWorker, withBoss: boolean): Promise<number> {
  const pids = worker.busy?.pids() ?? [];
  const bossConnections = withBoss ? worker.applicationName : undefined;
  if (pids.length === 0 && !bossConnections) return 0;
  try {
    return await backendStatementsCancel(worker.database, { pids, applicationName: bossConnections });
  } catch (error) {
    worker.log.warn({ err: error }, 'could not cancel running statements');
    return 0;
  }
}
