/**
 * `connectSync()`: the one entry point a host app holds. Given its declarations and its database
 * (its own pg Pool, or a Database from `databaseOpen`), it enqueues inside the host's
 * transactions, runs the worker (on the host's pg-boss when given one), migrates, and runs the
 * doctor, repair and backfill, all over the same set of objects.
 */
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { databaseFromPool, type Database } from './db/database.ts';
import { migrateQueue } from './schema/migrate.ts';
import { createLogger, type Logger } from './log.ts';
import type { AnyMirrorObject } from './mirror/object-set.ts';
import { backfillRun, type BackfillResult } from './ops/backfill.ts';
import { doctorReport, type DoctorReport } from './ops/doctor-report.ts';
import { repairApply, repairPlan, type RepairPlan, type RepairResult } from './ops/repair.ts';
import { bossCreate } from './queue/boss.ts';
import { syncEnqueuer, type SyncEnqueuer } from './queue/enqueue.ts';
import { syncConfigResolve, type ConnectSyncConfig, type SyncConfig } from './sync-config.ts';
import { syncEnabledDefault } from './config.ts';
import type { WorkerConfig } from './worker/worker-config.ts';
import { workerStart, type WorkerProcess } from './worker/worker-process.ts';

/** What `connectSync()` takes: the config, where the database is, and optionally the host's pg-boss. */
export interface ConnectSyncOptions extends ConnectSyncConfig {
  /** The host's pg Pool (connect-sync never ends it), or an open Database. One of the two. */
  pool?: pg.Pool;
  database?: Database;
  /** The host's started pg-boss, for enqueueing and the worker; without it connect-sync starts its own. */
  boss?: PgBoss;
  /** Where connect-sync logs; by default JSON lines on stdout at info, as the command line does. */
  log?: Logger;
  /**
   * Syncing on (the default, as for the command line): when false, enqueue writes no job, the
   * worker completes the jobs it takes as discarded (and says so first), and repair refuses.
   */
  enabled?: boolean;
}

/** A host app's handle on connect-sync. */
export interface ConnectSync {
  readonly config: SyncConfig;
  readonly database: Database;
  /** Enqueues a sync of the record `payload` names, in the caller's transaction (`{ tx }` or `{ db }`). */
  enqueue: SyncEnqueuer['enqueue'];
  /**
   * The release step: the queue schema and a queue per object (and the app's migrations, when the
   * config names them). Mirror tables for development come from `connect-sync/testing`.
   */
  migrate(): Promise<void>;
  /**
   * Starts the worker in this process: what `connect-sync worker` starts (sync queues, waker,
   * reconciler, summaries), with the same defaults; on the host's pg-boss when it gave one.
   */
  workerStart(config?: Omit<WorkerConfig, 'enabled'>): Promise<WorkerProcess>;
  doctor(): Promise<DoctorReport>;
  repairPlan(): Promise<RepairPlan>;
  repairApply(plan: RepairPlan): Promise<RepairResult>;
  /** Enqueues a job for every record of `object` that has none waiting. */
  backfill(object: AnyMirrorObject): Promise<BackfillResult>;
  /** Stops the pg-boss connect-sync started itself (never the host's, nor its pool). */
  stop(): Promise<void>;
}

export function connectSync(options: ConnectSyncOptions): ConnectSync {
  const config = syncConfigResolve(options);
  const database = options.database ?? (options.pool ? databaseFromPool(options.pool) : undefined);
  if (!database) throw new TypeError('connectSync() needs the database: pass { pool } (your pg Pool) or { database }.');
  const log = options.log ?? createLogger({ LOG_LEVEL: 'info', LOG_FORMAT: 'json' });
  const enabled = options.enabled ?? syncEnabledDefault;
  let own: Promise<PgBoss> | undefined;
  // The host's pg-boss when given; otherwise one of ours, started on first use, for backfill
  // (enqueue and repair need none: they write jobs on the caller's transaction).
  const boss = (): Promise<PgBoss> => {
    if (options.boss) return Promise.resolve(options.boss);
    own ??= (async () => {
      const created = bossCreate(database, log, { poolSize: 2 });
      await created.start();
      return created;
    })();
    return own;
  };
  let enqueuer: SyncEnqueuer | undefined;
  return {
    config,
    database,
    async enqueue(object, payload, via) {
      enqueuer ??= syncEnqueuer(config.objects, { enabled });
      return enqueuer.enqueue(object, payload, via);
    },
    async migrate(...given: unknown[]) {
      // From JavaScript the option this once took can still be passed: never drop it silently.
      if ((given[0] as { mirror?: unknown } | undefined)?.mirror) {
        throw new TypeError("migrate() makes no mirror tables: in development, call mirrorTablesCreate() of connect-sync/testing first (Heroku Connect makes them in production).");
      }
      await migrateQueue(database, config, log);
    },
    async workerStart(workerConfig = {}) {
      return workerStart(database, config, log, { ...(options.boss ? { boss: options.boss } : {}), ...workerConfig, enabled });
    },
    doctor: () => doctorReport(database, config),
    repairPlan: () => repairPlan(database, config),
    async repairApply(plan) {
      return repairApply(database, config.objects, plan, { enabled, log });
    },
    async backfill(object) {
      return backfillRun(database, await boss(), config.objects.member(object));
    },
    async stop() {
      if (own) await (await own).stop({ graceful: false });
      own = undefined;
      enqueuer = undefined;
    },
  };
}
