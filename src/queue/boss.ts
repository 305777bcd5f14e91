/** The pg-boss instance, made the same way for every process that uses the queue. */
import { PgBoss, type ConstructorOptions } from 'pg-boss';
import type { Database } from '../db/database.ts';
import type { DatabaseReachability } from '../db/database-reachability.ts';
import type { Logger } from '../log.ts';
import { isConnectionError, sqlMessage, sqlState } from '../sync/statement-errors.ts';
import { bossSchema } from './queues.ts';

export interface BossOptions {
  /** Run pg-boss's maintenance and cron (the worker); an enqueue-only process leaves them off. */
  supervise?: boolean;
  /** LISTEN/NOTIFY so workers wake on a new job; polling stays the floor. */
  listen?: boolean;
  poolSize?: number;
  /** Postgres application_name of its connections; a worker names its own to find them at stop. */
  applicationName?: string;
  /** Where a worker's lost connections are said, once per outage rather than once per failed poll. */
  reachability?: DatabaseReachability;
}

/** A pg-boss over the same database, reporting its errors and warnings to `log`. */
export function bossCreate(database: Database, log: Logger, options: BossOptions = {}): PgBoss {
  const config: ConstructorOptions = {
    connectionString: database.url,
    ssl: database.ssl,
    schema: bossSchema,
    max: options.poolSize ?? 10,
    supervise: options.supervise ?? false,
    schedule: options.supervise ?? false,
    useListenNotify: options.listen ?? false,
    application_name: options.applicationName ?? 'connect-sync',
    // Jobs of a dead worker are failed back within seconds: the supervisor and the queue
    // monitor (which also refreshes each queue's list of active record keys, read by every
    // fetch) run every 5 s instead of every 60 s; see heartbeatSeconds in queues.ts.
    superviseIntervalSeconds: 5,
    monitorIntervalSeconds: 5,
    queueCacheIntervalSeconds: 5,
  };
  const boss = new PgBoss(config);
  // A lost connection is pg-boss's to retry: one short line each, not the client object pg
  // attaches to the error (its connection parameters included).
  boss.on('error', (error) => {
    if (options.reachability?.failed(error, 'queue')) return;
    const fields = { errorClass: error.name, sqlState: sqlState(error) };
    if (isConnectionError(error)) log.warn(fields, `queue connection lost, retried: ${sqlMessage(error)}`);
    else {
      log.error(fields, `queue error: ${sqlMessage(error)}`);
      log.debug({ err: error }, 'stack of the queue error above');
    }
  });
  boss.on('warning', (warning) => log.warn({ warning }, 'queue warning'));
  return boss;
}
