/**
 * A development or test database laid out like one Heroku Connect serves: the app's tables and
 * the queue, the mirror tables, and the stand-in's triggers and trigger log.
 */
import type { Database } from '../db/database.ts';
import { migrateApp, migrateMirror } from '../db/migrate.ts';
import type { Logger } from '../log.ts';
import { connectSimInstall } from './install.ts';

export async function devDatabasePrepare(database: Database, log: Logger): Promise<void> {
  await migrateApp(database, log);
  await migrateMirror(database, log);
  await connectSimInstall(database, log);
}
