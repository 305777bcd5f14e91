/**
 * connect-sync's public interface, for a host app that embeds it: declare your objects, hold one
 * `connectSync()`, enqueue inside your transactions, run the worker in your process, and the
 * operator functions behind the commands. The editor app's preset is `connect-sync/editor`.
 */

// The one entry point, and the config a host writes (also in connect-sync.config.ts).
export { connectSync, type ConnectSync, type ConnectSyncOptions } from './connect-sync.ts';
export { defineConfig, syncConfigResolve, type ConnectSyncConfig, type SyncConfig } from './sync-config.ts';

// Declaring objects.
export { defineMirrorObject, type MirrorObject, type MirrorObjectDeclaration, type PayloadSchema } from './mirror/define.ts';
export { connectTable, salesforceSchema } from './mirror/connect-table.ts';
export { bigintId, uuidId } from './mirror/payload-ids.ts';
/** zod, as connect-sync uses it: declare payload schemas with this copy so both agree. */
export { z } from 'zod';
export {
  mirrorObjectSet,
  MirrorObjectSetError,
  MirrorObjectUnknownError,
  type AnyMirrorObject,
  type MirrorObjectSet,
  type ResolvedLookup,
} from './mirror/object-set.ts';
export type { DoctorCheck } from './ops/doctor-check.ts';

// Settings, logging and the database.
export { loadSettings, ConfigError, type Settings } from './config.ts';
export { createLogger, silentLogger, type Logger } from './log.ts';
export { databaseOpen, databaseConnect, databaseFromPool, type Database, type Drizzle } from './db/database.ts';
export { migrateQueue } from './schema/migrate.ts';

// Enqueueing, the queue and the worker.
export { syncEnqueuer, type SyncEnqueuer, type EnqueueVia } from './queue/enqueue.ts';
export { bossCreate } from './queue/boss.ts';
export { deadLetterQueue, queueDefinitions } from './queue/queues.ts';
export { retryDelaySeconds, retrySchedule, executionLimit } from './queue/retry-schedule.ts';
export { workerStart, type WorkerParts, type WorkerProcess } from './worker/worker-process.ts';
export { WorkerConfigError, type WorkerConfig } from './worker/worker-config.ts';
export { runUntilShutdown, shutdownSignal } from './shutdown.ts';

// The mechanism, inline: what a job does, without the queue (for a host app's own tests).
export { syncBatch, type SyncJob, type SyncOutcome } from './sync/sync-batch.ts';
export { ParentNotSyncedError, PayloadInvalidError, RecordNotFoundError } from './sync/sync-errors.ts';

// Operations.
export { doctorReport, doctorReportText, type DoctorReport } from './ops/doctor-report.ts';
export { repairPlan, repairApply } from './ops/repair.ts';
export { reconcilerStart } from './ops/reconciler.ts';
export { backfillRun } from './ops/backfill.ts';

// The error family: every error a function above throws is a ConnectSyncError with a stable `code`.
export { ConnectSyncError, SyncDisabledError } from './errors.ts';
export { MirrorObjectDeclarationError } from './mirror/define.ts';
export { RowRefusedError, SyncBatchFailedError } from './sync/sync-errors.ts';
export { QueueMissingError } from './queue/enqueue.ts';
export { NotMigratedError } from './schema/migrated-check.ts';
export { DatabaseWaitAbortedError } from './db/connection-loss.ts';
export { DatabaseConnectError, DatabaseUrlMissingError, EmbeddedPostgresMissingError } from './db/database.ts';
export { EmbeddedPostgresError } from './db/postgres-native.ts';
export { SchemaMigrationFailedError, SchemaNewerError } from './schema/migrations.ts';
export { BackfillRunningError } from './ops/backfill.ts';
export { ConfigFileError } from './config-file.ts';

// The local Heroku Connect stand-in, for development and tests.
export { ConnectSim, ConnectSimNotInstalledError } from './connect-sim/connect-sim.ts';
export { ConnectSimInstallRefusedError } from './connect-sim/install.ts';
export { ConnectSimOptionsError } from './connect-sim/options.ts';
export { MirrorSchemaForeignError } from './connect-sim/mirror-tables.ts';
export { devDatabasePrepare } from './connect-sim/dev-database.ts';
export { mirrorTablesCreate } from './connect-sim/mirror-tables.ts';
