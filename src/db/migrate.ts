/**
 * Schema installation. `migrate` is the production release step: the host's own migrations when
 * the config names them, pg-boss's schema, a queue per declared object, and the SQL enqueue
 * function. connect-sync creates no app tables of its own. The mirror tables are a separate,
 * explicit step for development and tests (`connect-sim/mirror-tables.ts`): in production Heroku
 * Connect creates and owns the `salesforce` schema.
 */
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type { Logger } from '../log.ts';
import { doctorViewsEnsure, doctorViewsReadable } from '../ops/doctor-views.ts';
import { bossCreate } from '../queue/boss.ts';
import { queuesEnsure } from '../queue/queues.ts';
import { sqlEnqueueInstall } from '../queue/sql-enqueue.ts';
import type { SyncConfig } from '../sync-config.ts';
import type { Database } from './database.ts';

/** Where drizzle records which migrations ran; kept apart from the app's and Connect's schemas. */
export const journalSchema = 'connect_sync';

/**
 * The host's migrations (if configured), then pg-boss's schema, the sync queues and the SQL
 * enqueue function; and the doctor's views once the mirror tables they read exist (Heroku
 * Connect makes them in production). Idempotent: a second run changes nothing.
 */
export async function migrateQueue(database: Database, config: SyncConfig, log: Logger): Promise<void> {
  if (config.appMigrations) {
    const { folder, table } = config.appMigrations;
    await migrate(database.db, { migrationsFolder: folder, migrationsSchema: journalSchema, migrationsTable: table });
    log.info({ folder }, 'app migrations are up to date');
  }
  const boss = bossCreate(database, log, { poolSize: 2 });
  await boss.start();
  try {
    await queuesEnsure(boss, config.objects);
  } finally {
    await boss.stop({ graceful: false });
  }
  await sqlEnqueueInstall(database);
  log.info({ queues: config.objects.objects.map((object) => object.queueName) }, 'queue schema and sync queues are up to date');
  const missing = await doctorViewsReadable(database, config);
  if (missing.length === 0) await doctorViewsEnsure(database, config);
  else log.info({ missing }, "doctor views wait for the mirror tables (Heroku Connect makes them); run migrate again once they exist");
}
