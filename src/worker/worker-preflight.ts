/**
 * The worker's check before it starts: the queue schema and every declared queue must already be
 * there. Without it pg-boss would create its schema on start and then log "Queue … does not exist"
 * stack traces in a loop; an operator needs one line saying to run `migrate` first.
 */
import { databaseReachableWait } from '../db/connection-loss.ts';
import type { Database } from '../db/database.ts';
import { qualifiedName } from '../db/sql-names.ts';
import type { Logger } from '../log.ts';
import { bossSchema, queueDefinitions } from '../queue/queues.ts';
import type { SyncConfig } from '../sync-config.ts';
import { isConnectionError } from '../sync/statement-errors.ts';

/** The database is missing the queue schema or some of the declared queues. */
export class WorkerNotMigratedError extends Error {
  override name = 'WorkerNotMigratedError';
}

/** Throws WorkerNotMigratedError (one line: what is missing, and `connect-sync migrate`) unless all is in place. */
export async function workerPreflight(database: Pick<Database, 'pool' | 'description'>, config: Pick<SyncConfig, 'objects'>): Promise<void> {
  const names = queueDefinitions(config.objects).map((queue) => queue.name);
  const table = qualifiedName(bossSchema, 'queue');
  const { rows } = await database.pool.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [table]);
  if (!rows[0]?.present) {
    throw new WorkerNotMigratedError(`The database ${database.description} has no queue schema (${bossSchema}): run \`connect-sync migrate\` first.`);
  }
  const found = await database.pool.query<{ name: string }>(`SELECT name FROM ${table} WHERE name = ANY($1::text[])`, [names]);
  const present = new Set(found.rows.map((row) => row.name));
  const missing = names.filter((name) => !present.has(name));
  if (missing.length > 0) {
    const shown = missing.slice(0, 3).join(', ') + (missing.length > 3 ? ` and ${missing.length - 3} more` : '');
    throw new WorkerNotMigratedError(`The database ${database.description} lacks the queues ${shown}: run \`connect-sync migrate\` first.`);
  }
}

/**
 * The check, once the database answers: a worker started during a failover or a restart waits
 * for it (one line when it is found unreachable, one when it answers) instead of exiting into a
 * crash loop. What retrying cannot heal (not migrated, a refused password) still throws.
 */
export async function workerPreflightWhenReachable(
  database: Pick<Database, 'pool' | 'description'>,
  config: Pick<SyncConfig, 'objects'>,
  log: Logger,
  signal?: AbortSignal,
): Promise<void> {
  for (;;) {
    await databaseReachableWait(database, log, { signal });
    try {
      return await workerPreflight(database, config);
    } catch (error) {
      if (!isConnectionError(error)) throw error;
    }
  }
}
