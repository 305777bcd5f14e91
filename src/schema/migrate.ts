/**
 * `migrate`, the production release step, in order: the host's own migrations when the config
 * names them; pg-boss's schema; connect-sync's numbered migrations (migrations.ts), which need
 * pg-boss's job table; then what the config declares, ensured on every run: a queue per declared
 * object and its record key's payload field, and the doctor's functions once the mirror tables they
 * read exist. connect-sync creates no app tables of its own. The mirror tables are a separate,
 * explicit step for development and tests (`connect-sim/mirror-tables.ts`): in production Heroku
 * Connect creates and owns the mirror schema (`salesforce` unless its add-on was set up with another).
 */
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type { Database } from '../db/database.ts';
import { syncSchema } from '../db/sql-names.ts';
import type { Logger } from '../log.ts';
import { doctorFunctionsEnsure, doctorTablesMissing } from '../ops/doctor-functions.ts';
import { bossCreate } from '../queue/boss.ts';
import { jobRecordKeysEnsure } from '../queue/job-record-key.ts';
import { queuesEnsure } from '../queue/queues.ts';
import type { SyncConfig } from '../sync-config.ts';
import { appTablesMissing, appTablesMissingMessage, NotMigratedError } from './migrated-check.ts';
import { schemaMigrate } from './migrations.ts';

/**
 * Idempotent: a second run changes nothing. Two at once (two release steps) run one after the
 * other: the host's migrations (Drizzle's migrator) and pg-boss's queue creation take no lock of
 * their own that covers a second migrator.
 */
export async function migrateQueue(database: Database, config: SyncConfig, log: Logger): Promise<void> {
  const lock = await database.pool.connect();
  try {
    await lock.query('SELECT pg_advisory_lock(hashtext($1))', [`${syncSchema} migrate`]);
    await migrateSteps(database, config, log);
  } finally {
    await lock.query('SELECT pg_advisory_unlock(hashtext($1))', [`${syncSchema} migrate`]).catch(() => undefined);
    lock.release();
  }
}

async function migrateSteps(database: Database, config: SyncConfig, log: Logger): Promise<void> {
  if (config.appMigrations) {
    const { folder, table } = config.appMigrations;
    // The host's journal is kept apart from the app's and Connect's schemas.
    await migrate(database.db, { migrationsFolder: folder, migrationsSchema: syncSchema, migrationsTable: table });
    log.info({ folder }, 'app migrations are up to date');
  }
  // The doctor's functions and the worker read the app's tables: without them, stop before anything is made.
  const missing = await appTablesMissing(database, config);
  if (missing.length > 0) throw new NotMigratedError(appTablesMissingMessage(database, missing, config));
  const boss = bossCreate(database, log, { poolSize: database.budget?.boss ?? 2 });
  await boss.start();
  try {
    await schemaMigrate(database.pool, log);
    await queuesEnsure(boss, config.objects);
  } finally {
    await boss.stop({ graceful: false });
  }
  await jobRecordKeysEnsure(database.pool, config.objects);
  log.info({ queues: config.objects.objects.map((object) => object.queueName) }, 'queue schema and sync queues are up to date');
  const mirrorMissing = await doctorTablesMissing(database, config);
  if (mirrorMissing.length === 0) await doctorFunctionsEnsure(database, config);
  else log.info({ missing: mirrorMissing }, "doctor functions wait for the mirror tables (Heroku Connect makes them); run migrate again once they exist");
}
