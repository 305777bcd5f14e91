/**
 * `connect_sync.sync_enqueue(queue, payload, record_key)`: enqueueing from SQL, for a host app
 * written in any language. Called inside the app's own transaction, the job commits with it and
 * its NOTIFY wakes a worker at commit, as pg-boss's own send does. The job takes its queue's
 * options (retries, expiry, dead letter, singleton policy) as send does; the worker validates the
 * payload and dead-letters one of the wrong shape. The install also creates the worker's
 * connect_sync.parent_wait table.
 */
import type { Database } from '../db/database.ts';
import { parentWaitTableSql } from './parent-wait.ts';
import { bossSchema, deadLetterQueue } from './queues.ts';

/**
 * pg-boss's LISTEN channel for the schema (plans.notifyChannelSql in pg-boss 12.34): workers
 * listening on it fetch from the queue whose name is the payload.
 */
export const bossNotifyChannelSql = `('pgboss_' || left(encode(sha224('${bossSchema}'::bytea), 'hex'), 24))`;

/**
 * One job row as pg-boss's insert writes it, its settings copied from the queue's row, with the
 * NOTIFY pg-boss sends for a runnable job. Parameters: $1 queue, $2 payload (jsonb), $3 record key.
 * Returns the job id; no row when the queue does not exist.
 */
export const jobInsertSql = `
WITH ins AS (
  INSERT INTO ${bossSchema}.job (name, data, singleton_key, policy, retry_limit, retry_delay, retry_backoff, retry_delay_max,
    expire_seconds, deletion_seconds, keep_until, dead_letter, heartbeat_seconds, start_after, created_on)
  SELECT q.name, $2::jsonb, $3::text, q.policy, q.retry_limit, q.retry_delay, coalesce(q.retry_backoff, false), q.retry_delay_max,
    q.expire_seconds, q.deletion_seconds, ${bossSchema}.job_now() + q.retention_seconds * interval '1 second', q.dead_letter,
    q.heartbeat_seconds, ${bossSchema}.job_now(), ${bossSchema}.job_now()
  FROM ${bossSchema}.queue q WHERE q.name = $1::text
  RETURNING id, name
)
SELECT id, pg_notify(${bossNotifyChannelSql}, name) AS notified FROM ins`;

const functionDefinition = `
CREATE SCHEMA IF NOT EXISTS connect_sync;
CREATE OR REPLACE FUNCTION connect_sync.sync_enqueue(queue_name text, payload jsonb, record_key text)
RETURNS uuid LANGUAGE plpgsql AS $fn$
DECLARE
  job_id uuid;
BEGIN
  IF queue_name LIKE 'salesforce-sync.%' AND queue_name <> '${deadLetterQueue}' THEN
    IF record_key IS NULL OR record_key = '' THEN
      RAISE EXCEPTION 'connect_sync.sync_enqueue: record_key is required for %: it is the record id, and a job without one would hold up every other job of the queue', queue_name;
    END IF;
    INSERT INTO ${bossSchema}.job (name, data, singleton_key, policy, retry_limit, retry_delay, retry_backoff,
      retry_delay_max, expire_seconds, deletion_seconds, keep_until, dead_letter, heartbeat_seconds, start_after, created_on)
    SELECT q.name, payload, record_key, q.policy, q.retry_limit, q.retry_delay, coalesce(q.retry_backoff, false),
      q.retry_delay_max, q.expire_seconds, q.deletion_seconds, ${bossSchema}.job_now() + q.retention_seconds * interval '1 second',
      q.dead_letter, q.heartbeat_seconds, ${bossSchema}.job_now(), ${bossSchema}.job_now()
    FROM ${bossSchema}.queue q
    WHERE q.name = queue_name
    RETURNING id INTO job_id;
  END IF;
  IF job_id IS NULL THEN
    RAISE EXCEPTION 'connect_sync.sync_enqueue: % is not a sync queue; expected one of %', queue_name,
      (SELECT string_agg(name, ', ' ORDER BY name) FROM ${bossSchema}.queue WHERE name LIKE 'salesforce-sync.%' AND name <> '${deadLetterQueue}');
  END IF;
  -- Delivered at commit, as pg-boss's send does: a listening worker fetches at once.
  PERFORM pg_notify(${bossNotifyChannelSql}, queue_name);
  RETURN job_id;
END
$fn$;`;

/** Creates or replaces the function and the parent-wait table; part of `migrate`, after pg-boss has installed its schema. */
export async function sqlEnqueueInstall(database: Database): Promise<void> {
  await database.pool.query(functionDefinition);
  await database.pool.query(parentWaitTableSql);
}
