/**
 * Schema installation. `migrate` brings the app's tables and the queue up to date and is the
 * production release step. The mirror tables are a separate, explicit step for development and
 * tests: in production Heroku Connect creates and owns the `salesforce` schema.
 */
import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type { Logger } from '../log.ts';
import { bossCreate } from '../queue/boss.ts';
import { queuesEnsure } from '../queue/queues.ts';
import { sqlEnqueueInstall } from '../queue/sql-enqueue.ts';
import type { Database } from './database.ts';

const migrationsRoot = fileURLToPath(new URL('../../migrations/', import.meta.url));
/** Where drizzle records which migrations ran; kept apart from the app's and Connect's schemas. */
const journalSchema = 'connect_sync';

/** The app's tables, then pg-boss's schema and the sync queues. Idempotent. */
export async function migrateApp(database: Database, log: Logger): Promise<void> {
  await migrate(database.db, { migrationsFolder: `${migrationsRoot}app`, migrationsSchema: journalSchema, migrationsTable: 'app_migrations' });
  log.info('app tables are up to date');
  const boss = bossCreate(database, log, { poolSize: 2 });
  await boss.start();
  try {
    await queuesEnsure(boss);
  } finally {
    await boss.stop({ graceful: false });
  }
  await sqlEnqueueInstall(database);
  log.info('queue schema and sync queues are up to date');
}

/**
 * The Heroku Connect mirror tables, for development and tests. Refuses a `salesforce` schema it
 * did not create, which is where a real Connect already owns the tables.
 */
export async function migrateMirror(database: Database, log: Logger): Promise<void> {
  const { rows } = await database.pool.query<{ schema_exists: boolean; ours: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'salesforce') AS schema_exists,
            to_regclass($1) IS NOT NULL AS ours`,
    [`${journalSchema}.mirror_migrations`],
  );
  if (rows[0]?.schema_exists && !rows[0].ours) {
    throw new Error(
      'The salesforce schema already exists and was not created by connect-sync: Heroku Connect owns it here, so the mirror tables are left alone.',
    );
  }
  await migrate(database.db, { migrationsFolder: `${migrationsRoot}mirror`, migrationsSchema: journalSchema, migrationsTable: 'mirror_migrations' });
  log.info('mirror tables are up to date');
}
