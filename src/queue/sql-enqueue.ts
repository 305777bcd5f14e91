/**
 * The job insert JavaScript enqueue runs. `connect_sync.sync_enqueue(queue, payload, record_key)`,
 * enqueueing from SQL for a host app written in any language, is created by
 * migrations/connect-sync: called inside the app's own transaction, the job commits with it and
 * its NOTIFY wakes a worker at commit, as pg-boss's own send does. The job takes its queue's
 * options (retries, expiry, dead letter, singleton policy) as send does; the worker validates the
 * payload and dead-letters one of the wrong shape.
 */
import { identifierQuote } from '../db/sql-names.ts';
import { bossNotifyChannel } from './boss-contract.ts';
import { bossSchema } from './queues.ts';

const boss = identifierQuote(bossSchema);

/**
 * One job row as pg-boss's insert writes it, its settings copied from the queue's row, with the
 * NOTIFY pg-boss sends for a runnable job. Parameters: $1 queue, $2 payload (jsonb), $3 record key.
 * Returns the job id; no row when the queue does not exist.
 */
export const jobInsertSql = `
WITH ins AS (
  INSERT INTO ${boss}.job (name, data, singleton_key, policy, retry_limit, retry_delay, retry_backoff, retry_delay_max,
    expire_seconds, deletion_seconds, keep_until, dead_letter, heartbeat_seconds, start_after, created_on)
  SELECT q.name, $2::jsonb, $3::text, q.policy, q.retry_limit, q.retry_delay, coalesce(q.retry_backoff, false), q.retry_delay_max,
    q.expire_seconds, q.deletion_seconds, ${boss}.job_now() + q.retention_seconds * interval '1 second', q.dead_letter,
    q.heartbeat_seconds, ${boss}.job_now(), ${boss}.job_now()
  FROM ${boss}.queue q WHERE q.name = $1::text
  RETURNING id, name
)
SELECT id, pg_notify('${bossNotifyChannel()}', name) AS notified FROM ins`;
