/**
 * `connect-sync/advanced`: the parts `connectSync()` is built from, for what the facade does not
 * cover: opening a database from settings, one batch run inline (a host's own tests), pg-boss as
 * connect-sync configures it, the queues' names and retry schedule, the reconciler on its own,
 * shutdown on SIGTERM. What the facade does (enqueue, migrate, the worker, doctor, repair,
 * backfill) has one way only, through it.
 */

// Settings and the database.
export { loadSettings, type Settings } from './config.ts';
export { databaseOpen, databaseConnect, databaseFromPool, type Database, type Drizzle } from './db/database.ts';
export { syncConfigResolve } from './sync-config.ts';
export { mirrorObjectSet, type MirrorObjectSet, type ResolvedLookup } from './mirror/object-set.ts';
export { salesforceSchema } from './mirror/connect-table.ts';

// The queue.
export { bossCreate } from './queue/boss.ts';
export { deadLetterQueue, queueDefinitions } from './queue/queues.ts';
export { retryDelaySeconds, retrySchedule, executionLimit } from './queue/retry-schedule.ts';
export { runUntilShutdown, shutdownSignal } from './shutdown.ts';

// The mechanism, inline: what a job does, without the queue (for a host app's own tests).
export { syncBatch, type SyncJob, type SyncOutcome } from './sync/sync-batch.ts';

// Operations beyond the facade's.
export { doctorReportText } from './ops/doctor-report.ts';
export { reconcilerStart } from './ops/reconciler.ts';
