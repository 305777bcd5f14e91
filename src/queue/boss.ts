/** The pg-boss instance, made the same way for every process that uses the queue. */
import { PgBoss, type ConstructorOptions } from 'pg-boss';
import type { Database } from '../db/database.ts';
import type { Logger } from '../log.ts';
import { bossSchema } from './queues.ts';

export interface BossOptions {
  /** Run pg-boss's maintenance and cron (the worker); an enqueue-only process leaves them off. */
  supervise?: boolean;
  /** LISTEN/NOTIFY so workers wake on a new job; polling stays the floor. */
  listen?: boolean;
  poolSize?: number;
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
    application_name: 'connect-sync',
  };
  const boss = new PgBoss(config);
  boss.on('error', (error) => log.error({ err: error }, 'queue error'));
  boss.on('warning', (warning) => log.warn({ warning }, 'queue warning'));
  return boss;
}
