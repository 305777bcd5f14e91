/**
 * connect-sync's public face, for a host app that embeds it: declare your objects, hold one
 * `connectSync()` and do everything through it (enqueue inside your transactions, migrate, run
 * the worker in your process, doctor, repair, backfill). Every error it throws is a
 * ConnectSyncError with a stable `code`. Other entries: `connect-sync/testing` (the Heroku
 * Connect stand-in and a development database), `connect-sync/advanced` (the parts the facade is
 * built from, for what it does not cover) and `connect-sync/editor` (the editor app's preset).
 * docs/host-apps.md lists every name each entry exports.
 */

// The one entry point, and the config a host writes (also in connect-sync.config.ts).
export { connectSync, type ConnectSync, type ConnectSyncOptions } from './connect-sync.ts';
export { defineConfig, type ConnectSyncConfig, type SyncConfig } from './sync-config.ts';
export type { WorkerConfig } from './worker/worker-config.ts';
export type { WorkerProcess } from './worker/worker-process.ts';
export type { EnqueueVia } from './queue/enqueue.ts';
export type { DoctorReport } from './ops/doctor-report.ts';
export type { RepairPlan, RepairResult } from './ops/repair.ts';
export type { BackfillResult } from './ops/backfill.ts';
export { createLogger, silentLogger, type Logger } from './log.ts';

// Declaring objects.
export { defineMirrorObject, type MirrorObject, type MirrorObjectDeclaration, type PayloadSchema } from './mirror/define.ts';
export type { AnyMirrorObject } from './mirror/object-set.ts';
export { connectTable } from './mirror/connect-table.ts';
export { bigintId, uuidId } from './mirror/payload-ids.ts';
/** zod, as connect-sync uses it: declare payload schemas with this copy so both agree. */
export { z } from 'zod';
export type { DoctorCheck } from './ops/doctor-check.ts';

// The error family: every error connect-sync throws to a host is a ConnectSyncError with a stable `code`.
export { ConnectSyncError, SyncDisabledError } from './errors.ts';
export { MirrorObjectDeclarationError } from './mirror/define.ts';
export { MirrorObjectSetError, MirrorObjectUnknownError } from './mirror/object-set.ts';
export { ParentNotSyncedError, PayloadInvalidError, RecordNotFoundError, RowRefusedError, SyncBatchFailedError } from './sync/sync-errors.ts';
export { QueueMissingError } from './queue/enqueue.ts';
export { NotMigratedError } from './schema/migrated-check.ts';
export { SchemaMigrationFailedError, SchemaNewerError } from './schema/migrations.ts';
export { DatabaseWaitAbortedError } from './db/database-reachability.ts';
export { DatabaseConnectError, DatabaseUrlMissingError, EmbeddedPostgresMissingError } from './db/database.ts';
export { EmbeddedPostgresError } from './db/postgres-native.ts';
export { DatabaseTlsConflictError } from './db/database-tls.ts';
export { BackfillRunningError } from './ops/backfill.ts';
export { ConfigError } from './config.ts';
export { ConfigFileError } from './config-file.ts';
export { WorkerConfigError } from './worker/worker-config.ts';
export { OtelApiMissingError } from './metrics/otel-metrics.ts';
