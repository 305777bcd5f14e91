/**
 * connect-sync's public interface, for a host app that embeds it: enqueue inside your
 * transaction, run the worker in your process, run a sync inline in your tests, and the
 * operator functions behind the commands. Everything a command does is reachable from here.
 */

// Settings, logging and the database.
export { loadSettings, ConfigError, type Settings } from './config.ts';
export { createLogger, silentLogger, type Logger } from './log.ts';
export { databaseOpen, databaseConnect, type Database, type Drizzle } from './db/database.ts';
export { migrateApp, migrateMirror } from './db/migrate.ts';

// The declarations: one per Salesforce object.
export { mirrorObjects, parentLookups, mirrorObjectNamed, mirrorObjectForQueue, type AnyMirrorObject } from './mirror/registry.ts';
export { defineMirrorObject, type MirrorObject, type MirrorObjectDeclaration } from './mirror/define.ts';
export { editor } from './mirror/objects/editor.ts';
export { contact } from './mirror/objects/contact.ts';
export { contactEditorAffiliation } from './mirror/objects/contact-editor-affiliation.ts';
export { classroom } from './mirror/objects/classroom.ts';
export { contactClassroomAffiliation } from './mirror/objects/contact-classroom-affiliation.ts';
export { lesson } from './mirror/objects/lesson.ts';

// Enqueueing, the queue and the worker.
export { syncEnqueuer, type SyncEnqueuer, type EnqueueVia } from './queue/enqueue.ts';
export { bossCreate } from './queue/boss.ts';
export { deadLetterQueue, queueDefinitions } from './queue/queues.ts';
export { retryDelaySeconds, retrySchedule, executionLimit } from './queue/retry-schedule.ts';
export { workerStart, type WorkerProcess } from './worker/worker-process.ts';
export { runUntilShutdown, shutdownSignal } from './shutdown.ts';

// The mechanism, inline: what a job does, without the queue (for a host app's own tests).
export { syncBatch, type SyncJob, type SyncOutcome } from './sync/sync-batch.ts';
export { ParentNotSyncedError, PayloadInvalidError, RecordNotFoundError } from './sync/sync-errors.ts';

// The app operations this project models (the editor app's schools, roles, classes, lessons).
export * from './app/schools.ts';
export * from './app/roles.ts';
export * from './app/classes.ts';

// Operations.
export { doctorReport } from './ops/doctor-classes.ts';
export { repairPlan, repairApply } from './ops/repair.ts';
export { reconcilerStart } from './ops/reconciler.ts';
export { backfillRun } from './ops/backfill.ts';

// The local Heroku Connect stand-in, for development and tests.
export { ConnectSim } from './connect-sim/connect-sim.ts';
export { devDatabasePrepare } from './connect-sim/dev-database.ts';
