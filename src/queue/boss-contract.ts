/**
 * What connect-sync relies on of pg-boss's internals, in one place: its schema's name, the
 * LISTEN channel its workers wake on, the job row its `send` writes (copied by
 * connect-sync's `job_insert` function, migrations/connect-sync/0003_job_insert.sql), and the
 * columns its `complete` of a queued job writes (`bossCompletionSet`, which wait-successor.ts
 * uses to complete a superseded successor). Its trigger and indexes on the job table are in the same migrations.
 * test/queue/boss-contract.test.ts pins every one of them against the pg-boss installed: a pg-boss
 * release that changes any of them fails that test, not production.
 */
import { createHash } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import { sqlIdentifier } from '../db/sql-names.ts';
import { bossSchema } from './queues.ts';

/** The pg-boss versions whose job table and channel the contract test has held against. */
export const bossVersionsHeld = '12.34.0';

/**
 * pg-boss's LISTEN channel for its schema (plans.notifyChannelSql in pg-boss 12): workers
 * listening on it fetch from the queue named by the payload.
 */
export function bossNotifyChannel(schema: string = bossSchema): string {
  return `pgboss_${createHash('sha224').update(schema).digest('hex').slice(0, 24)}`;
}

/**
 * The SET list of an UPDATE of the job table that completes a job as pg-boss's `complete` with
 * `includeQueued` does (plans.completeJobs in pg-boss 12), with `output` as the job's output:
 * connect-sync completes queued jobs pg-boss has not fetched, in its own statements, so they
 * must end as pg-boss's own completion leaves them (unblocked, no dependencies pending).
 */
export function bossCompletionSet(output: SQL): SQL {
  return sql`completed_on = ${sqlIdentifier(bossSchema)}.job_now(), state = 'completed', output = ${output}, blocked = false, pending_dependencies = 0`;
}
