/**
 * `connect_sync.sync_enqueue(queue, payload, record_key)`: enqueueing from SQL, for a host app
 * written in any language. Called inside the app's own transaction, the job commits with it.
 * The job takes its queue's options (retries, dead letter, singleton policy) as pg-boss's own
 * send does; the worker validates the payload and dead-letters one of the wrong shape.
 */
import type { Database } from '../db/database.ts';
import { bossSchema } from './queues.ts';

const functionDefinition = `
CREATE SCHEMA IF NOT EXISTS connect_sync;
CREATE OR REPLACE FUNCTION connect_sync.sync_enqueue(queue_name text, payload jsonb, record_key text)
RETURNS uuid LANGUAGE plpgsql AS $fn$
DECLARE
  job_id uuid;
BEGIN
  INSERT INTO ${bossSchema}.job (name, data, singleton_key, policy, retry_limit, retry_delay, retry_backoff,
    retry_delay_max, expire_seconds, deletion_seconds, keep_until, dead_letter, heartbeat_seconds)
  SELECT q.name, payload, record_key, q.policy, q.retry_limit, q.retry_delay, q.retry_backoff,
    q.retry_delay_max, q.expire_seconds, q.deletion_seconds, now() + q.retention_seconds * interval '1 second',
    q.dead_letter, q.heartbeat_seconds
  FROM ${bossSchema}.queue q
  WHERE q.name = queue_name AND queue_name LIKE 'salesforce-sync.%'
  RETURNING id INTO job_id;
  IF job_id IS NULL THEN
    RAISE EXCEPTION 'connect_sync.sync_enqueue: % is not a sync queue; expected one of %', queue_name,
      (SELECT string_agg(name, ', ' ORDER BY name) FROM ${bossSchema}.queue WHERE name LIKE 'salesforce-sync.%' AND name <> 'salesforce-sync.dead-letter');
  END IF;
  RETURN job_id;
END
$fn$;`;

/** Creates or replaces the function; part of `migrate`, after pg-boss has installed its schema. */
export async function sqlEnqueueInstall(database: Database): Promise<void> {
  await database.pool.query(functionDefinition);
}
