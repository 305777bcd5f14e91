/**
 * The self-healing reconciler: `repair --apply` on a schedule, so a recoverable failure (a row
 * Connect will never retry, a lost job) heals within minutes with nobody acting. pg-boss's own
 * cron sends a job to its queue (the worker's `reconcilerCron`, every 5 minutes by default); whichever worker
 * takes the job runs one repair and logs what it did. The cron runs only in an instance started
 * with `schedule` on (the supervising worker); any worker can do the job.
 */
import type { PgBoss, Queue } from 'pg-boss';
import type { Database } from '../db/database.ts';
import type { DatabaseReachability } from '../db/database-reachability.ts';
import type { Logger } from '../log.ts';
import { statementFailure } from '../sync/statement-errors.ts';
import { MirrorTableMissingError } from '../sync/sync-errors.ts';
import type { SyncConfig } from '../sync-config.ts';
import { repairApply, repairItemText, repairPlan, type RepairResult } from './repair.ts';

/** The reconciler's queue; its schedule has the same name. */
export const reconcileQueue = 'connect-sync.reconcile';

const reconcileQueueOptions = {
  // One reconcile at a time; a tick arriving while one runs waits, and is cheap when nothing is left.
  policy: 'singleton',
  retryLimit: 0,
  deleteAfterSeconds: 24 * 60 * 60,
} as const satisfies Omit<Queue, 'name'>;

/** What the worker passes in, from its configuration. */
export interface ReconcilerSettings {
  /** When it runs (cron, UTC), or `off`. */
  cron: string;
  /** Syncing on: while off, what it would heal is logged and left alone. */
  enabled: boolean;
  /** Where a run failed on a lost connection is said: once per outage for the whole worker. */
  reachability?: DatabaseReachability;
}

/** Creates the reconciler's queue when missing. Idempotent. */
export async function reconcileQueueEnsure(boss: PgBoss): Promise<void> {
  if (!(await boss.getQueue(reconcileQueue))) await boss.createQueue(reconcileQueue, reconcileQueueOptions);
}

/** A started reconciler. It also stops with its pg-boss (`boss.stop()`). */
export interface Reconciler {
  /** Stops handling reconcile jobs in this process; the schedule stays for the next start. */
  stop(): Promise<void>;
}

/**
 * Registers the schedule (`cron`, in UTC) and the handler of its queue; with `off`
 * removes the schedule and registers nothing. Called once by the worker process at start.
 */
export async function reconcilerStart(
  boss: PgBoss,
  database: Pick<Database, 'db' | 'pool'>,
  config: SyncConfig,
  log: Logger,
  settings: ReconcilerSettings,
): Promise<Reconciler> {
  const reconcilerLog = log.child({ component: 'reconciler' });
  await reconcileQueueEnsure(boss);
  if (settings.cron.trim().toLowerCase() === 'off') {
    await boss.unschedule(reconcileQueue);
    reconcilerLog.info('reconciler off');
    return { stop: async () => undefined };
  }
  await boss.schedule(reconcileQueue, settings.cron, null, { tz: 'UTC' });
  const workerId = await boss.work(reconcileQueue, { pollingIntervalSeconds: 5 }, async () => {
    try {
      return await reconcileRun(database, config, reconcilerLog, settings);
    } catch (error) {
      // pg-boss stores what a handler throws as the job's output: the bounded failure, never a statement.
      const { errorClass, sqlState, message } = statementFailure(error);
      if (!settings.reachability?.failed(error, 'reconciler')) reconcilerLog.warn({ errorClass, sqlState }, `reconciler failed, runs again at its next time: ${message}`);
      throw new Error(`reconciler failed (${errorClass}${sqlState ? ` ${sqlState}` : ''}): ${message}`);
    }
  });
  reconcilerLog.info({ cron: settings.cron }, 'reconciler scheduled');
  return { stop: () => boss.offWork(reconcileQueue, { id: workerId }) };
}

/** One reconcile: plans a repair and applies it; logs each item and a summary. */
export async function reconcileRun(
  database: Pick<Database, 'db' | 'pool'>,
  config: SyncConfig,
  log: Logger,
  settings: Pick<ReconcilerSettings, 'enabled'>,
): Promise<RepairResult & { upstream: number }> {
  let plan: Awaited<ReturnType<typeof repairPlan>>;
  try {
    plan = await repairPlan(database, config);
  } catch (error) {
    // Connect is making a mirror table again: nothing can be judged until it is back; the next run will.
    if (!(error instanceof MirrorTableMissingError)) throw error;
    log.warn(`reconciler skipped this run: ${error.message}`);
    return { rowsDeleted: 0, jobsEnqueued: 0, itemsSkipped: 0, upstream: 0 };
  }
  const empty = { rowsDeleted: 0, jobsEnqueued: 0, itemsSkipped: 0, upstream: plan.upstream.count };
  if (plan.items.length === 0) {
    log.debug({ upstream: plan.upstream.count }, 'reconciler: nothing to heal');
    return empty;
  }
  if (!settings.enabled) {
    log.warn({ items: plan.items.map(repairItemText) }, `reconciler: ${plan.items.length} item(s) to heal, left alone while syncing is off`);
    return empty;
  }
  const result = await repairApply(database, config.objects, plan, { enabled: true, log });
  log.info(
    { ...result, upstream: plan.upstream.count },
    `reconciler healed ${result.rowsDeleted} FAILED row(s) and enqueued ${result.jobsEnqueued} job(s); ${plan.upstream.count} FAILED row(s) whose parent is still missing left alone`,
  );
  return { ...result, upstream: plan.upstream.count };
}
