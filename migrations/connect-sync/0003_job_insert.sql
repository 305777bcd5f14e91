-- One job insert for every way connect-sync enqueues, owned by the role that migrates, so an app
-- role that only enqueues needs neither INSERT nor UPDATE on pg-boss's job table (docs/security.md).
--
-- job_insert writes the row pg-boss's send writes (its settings copied from the queue's row; the
-- contract test pins it against the pg-boss installed) with the NOTIFY pg-boss sends, after
-- checking the record key: it must be the payload's own id (the field the queue's object declares),
-- else one-job-per-record would not hold; a key left out is read from the payload. A key longer
-- than 200 characters is refused in words, not by the index's size limit.
-- Returns the job id; NULL when the queue is not a sync queue this database was migrated for.
CREATE FUNCTION :CONNECT_SYNC_SCHEMA.job_insert(queue text, payload jsonb, record_key text) RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  key_name text;
  key_value text;
  job_id uuid;
BEGIN
  SELECT k.payload_key INTO key_name FROM :CONNECT_SYNC_SCHEMA.sync_queue_key k WHERE k.queue_name = queue;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  key_value := CASE WHEN jsonb_typeof(payload) = 'object' THEN payload ->> key_name END;
  -- Uuids are keyed in lower case, as the payload check hands them on.
  IF key_value ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN key_value := lower(key_value); END IF;
  IF coalesce(record_key, '') = '' THEN
    IF coalesce(key_value, '') = '' THEN
      RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value', MESSAGE = format(
        'record_key is required for %s: it is the record id (the payload''s %s), and the payload has none', queue, key_name);
    END IF;
    record_key := key_value;
  ELSIF key_value IS DISTINCT FROM record_key THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value', MESSAGE = format(
      'record_key %s does not match the payload''s %s (%s) for %s: the key must be the record id, so one record never runs twice at once',
      left(record_key, 40), key_name, coalesce(left(key_value, 40), 'missing'), queue);
  END IF;
  IF length(record_key) > 200 THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value', MESSAGE = format(
      'record_key for %s is %s characters long; a record id is at most 200', queue, length(record_key));
  END IF;
  INSERT INTO :PGBOSS_SCHEMA.job (name, data, singleton_key, policy, retry_limit, retry_delay, retry_backoff, retry_delay_max,
    expire_seconds, deletion_seconds, keep_until, dead_letter, heartbeat_seconds, start_after, created_on)
  SELECT q.name, payload, record_key, q.policy, q.retry_limit, q.retry_delay, coalesce(q.retry_backoff, false), q.retry_delay_max,
    q.expire_seconds, q.deletion_seconds, :PGBOSS_SCHEMA.job_now() + q.retention_seconds * interval '1 second', q.dead_letter,
    q.heartbeat_seconds, :PGBOSS_SCHEMA.job_now(), :PGBOSS_SCHEMA.job_now()
  FROM :PGBOSS_SCHEMA.queue q WHERE q.name = queue
  RETURNING id INTO job_id;
  -- Delivered at commit, as pg-boss's send does: a listening worker fetches at once.
  IF job_id IS NOT NULL THEN
    PERFORM pg_notify(:PGBOSS_NOTIFY_CHANNEL, queue);
  END IF;
  RETURN job_id;
END
$fn$;

-- Enqueueing from SQL, for a host app in any language: job_insert, or one line naming the queues.
CREATE OR REPLACE FUNCTION :CONNECT_SYNC_SCHEMA.sync_enqueue(queue_name text, payload jsonb, record_key text)
RETURNS uuid LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  job_id uuid;
BEGIN
  job_id := :CONNECT_SYNC_SCHEMA.job_insert(queue_name, payload, record_key);
  IF job_id IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value', MESSAGE = format('sync_enqueue: %s is not a sync queue; expected one of %s',
      left(queue_name, 100), (SELECT string_agg(k.queue_name, ', ' ORDER BY k.queue_name) FROM :CONNECT_SYNC_SCHEMA.sync_queue_key k
        JOIN :PGBOSS_SCHEMA.queue q ON q.name = k.queue_name));
  END IF;
  RETURN job_id;
END
$fn$;

-- Only the roles granted it may enqueue (docs/security.md); the migrating role keeps it.
REVOKE EXECUTE ON FUNCTION :CONNECT_SYNC_SCHEMA.job_insert(text, jsonb, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION :CONNECT_SYNC_SCHEMA.sync_enqueue(text, jsonb, text) FROM PUBLIC;

-- A job inserted by pg-boss's own send (a role with INSERT on the job table, no UPDATE) gets its
-- record key and coalescing all the same: the trigger's row lock is taken with its owner's rights.
ALTER FUNCTION :CONNECT_SYNC_SCHEMA.sync_job_record_key() SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
