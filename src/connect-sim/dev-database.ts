/**
 * A development or test database laid out like one Heroku Connect serves: the host's migrations
 * and the queue, the mirror tables of the declared objects, and the stand-in's triggers and
 * trigger log.
 */
import type { Database } from '../db/database.ts';
import { migrateQueue } from '../schema/migrate.ts';
import type { Logger } from '../log.ts';
import { syncConfigResolve, type ConnectSyncConfig, type SyncConfig } from '../sync-config.ts';
import { connectSimInstall } from './install.ts';
import { mirrorTablesCreate } from './mirror-tables.ts';

export async function devDatabasePrepare(database: Database, config: ConnectSyncConfig | SyncConfig, log: Logger): Promise<void> {
  const resolved = syncConfigResolve(config);
  // The mirror tables first: migrate then finds them and makes the doctor's views over them.
  await mirrorTablesCreate(database, resolved.objects, log);
  await migrateQueue(database, resolved, log);
  await connectSimInstall(database, resolved.objects, log);
}
