/**
 * The worker's check before it starts (the check every queue command makes, migrated-check.ts):
 * without it pg-boss would create its schema on start and then log "Queue … does not exist"
 * stack traces in a loop; an operator needs one line saying to run `migrate` first.
 */
import type { DatabaseReachability } from '../db/database-reachability.ts';
import type { Database } from '../db/database.ts';
import { migratedCheck } from '../schema/migrated-check.ts';
import type { SyncConfig } from '../sync-config.ts';

export { NotMigratedError as WorkerNotMigratedError } from '../schema/migrated-check.ts';

/**
 * The check, once the database answers: a worker started during a failover or a restart waits
 * for it (one line when it is found unreachable, one when it answers) instead of exiting into a
 * crash loop. What retrying cannot heal (not migrated, a refused password) still throws.
 */
export async function workerPreflightWhenReachable(
  database: Pick<Database, 'pool' | 'description'>,
  config: Pick<SyncConfig, 'objects' | 'appMigrations'>,
  reachability: DatabaseReachability,
  signal?: AbortSignal,
): Promise<void> {
  for (;;) {
    await reachability.wait(signal);
    try {
      return await migratedCheck(database, config);
    } catch (error) {
      if (!reachability.failed(error, 'start-up check')) throw error;
    }
  }
}
