-- connect-sync's schema as the first release installed it (0.1.0). Every statement is idempotent,
-- so this migration brings a database that release migrated (which has no record of migrations)
-- to the same state as a fresh one. Later changes are later migrations, never edits to this file.
-- :CONNECT_SYNC_SCHEMA and :PGBOSS_SCHEMA are quoted identifiers, filled in when it runs.

CREATE SCHEMA IF NOT EXISTS :CONNECT_SYNC_SCHEMA;

-- The payload key each sync queue's record id is read from (rows: `migrate`, per declared object).
CREATE TABLE IF NOT EXISTS :CONNECT_SYNC_SCHEMA.sync_queue_key (queue_name text PRIMARY KEY, payload_key text NOT NULL);

-- A record key for every sync job, whoever sends it, and coalescing of identical waiting jobs
-- (see src/queue/job-record-key.ts).
CREATE OR REPLACE FUNCTION :CONNECT_SYNC_SCHEMA.sync_job_record_key() RETURNS trigger LANGUAGE plpgsql
-- The lookup below must use its index even when the job table was last analyzed empty (a fresh
-- database): a sequential scan per inserted row makes a large insert quadratic.
SET enable_seqscan = off AS $fn$
DECLARE
  key_name text;
  key_value text;
  waiting_id uuid;
BEGIN
  IF NEW.singleton_key IS NULL AND NEW.policy = 'singleton' THEN
    SELECT k.payload_key INTO key_name FROM :CONNECT_SYNC_SCHEMA.sync_queue_key k WHERE k.queue_name = NEW.name;
    IF FOUND THEN
      key_value := CASE WHEN jsonb_typeof(NEW.data) = 'object' THEN NEW.data ->> key_name END;
      -- Uuids are keyed in lower case, as the payload check hands them on.
      IF key_value ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN key_value := lower(key_value); END IF;
      NEW.singleton_key := CASE WHEN length(key_value) BETWEEN 1 AND 200 THEN key_value ELSE 'keyless:' || NEW.id::text END;
    END IF;
  END IF;
  IF NEW.state = 'created' AND NEW.policy = 'singleton' AND NEW.singleton_key IS NOT NULL
     AND EXISTS (SELECT 1 FROM :CONNECT_SYNC_SCHEMA.sync_queue_key k WHERE k.queue_name = NEW.name) THEN
    SELECT j.id INTO waiting_id FROM :PGBOSS_SCHEMA.job j
    WHERE j.name = NEW.name AND j.singleton_key = NEW.singleton_key AND j.state = 'created'
      AND j.start_after <= least(now(), NEW.start_after) AND j.data = NEW.data AND j.id <> NEW.id
    LIMIT 1 FOR UPDATE SKIP LOCKED;
    IF FOUND THEN
      NEW.state := 'completed';
      NEW.completed_on := now();
      NEW.output := jsonb_build_object('coalescedInto', waiting_id);
    END IF;
  END IF;
  RETURN NEW;
END
$fn$;

-- A record's jobs not yet running, by key: the lookup above, and pg-boss's update by singleton
-- key (the parent waker's), which otherwise scans every pending job of the queue per call.
CREATE INDEX IF NOT EXISTS sync_job_pending_key ON :PGBOSS_SCHEMA.job (name, singleton_key) WHERE state < 'active';
-- Left by releases before 0.1.0.
DROP INDEX IF EXISTS :PGBOSS_SCHEMA.sync_job_waiting_key;
CREATE INDEX IF NOT EXISTS sync_job_id ON :PGBOSS_SCHEMA.job (id);
DROP TRIGGER IF EXISTS sync_job_record_key ON :PGBOSS_SCHEMA.job;
CREATE TRIGGER sync_job_record_key BEFORE INSERT ON :PGBOSS_SCHEMA.job FOR EACH ROW EXECUTE FUNCTION :CONNECT_SYNC_SCHEMA.sync_job_record_key();

-- Enqueueing from SQL, in the caller's transaction (replaced by 0003_job_insert).
CREATE OR REPLACE FUNCTION :CONNECT_SYNC_SCHEMA.sync_enqueue(queue_name text, payload jsonb, record_key text)
RETURNS uuid LANGUAGE plpgsql AS $fn$
DECLARE
  job_id uuid;
BEGIN
  IF queue_name LIKE 'salesforce-sync.%' AND queue_name <> 'salesforce-sync.dead-letter' THEN
    IF record_key IS NULL OR record_key = '' THEN
      RAISE EXCEPTION 'connect_sync.sync_enqueue: record_key is required for %: it is the record id, and a job without one would hold up every other job of the queue', queue_name;
    END IF;
    INSERT INTO :PGBOSS_SCHEMA.job (name, data, singleton_key, policy, retry_limit, retry_delay, retry_backoff,
      retry_delay_max, expire_seconds, deletion_seconds, keep_until, dead_letter, heartbeat_seconds, start_after, created_on)
    SELECT q.name, payload, record_key, q.policy, q.retry_limit, q.retry_delay, coalesce(q.retry_backoff, false),
      q.retry_delay_max, q.expire_seconds, q.deletion_seconds, :PGBOSS_SCHEMA.job_now() + q.retention_seconds * interval '1 second',
      q.dead_letter, q.heartbeat_seconds, :PGBOSS_SCHEMA.job_now(), :PGBOSS_SCHEMA.job_now()
    FROM :PGBOSS_SCHEMA.queue q
    WHERE q.name = queue_name
    RETURNING id INTO job_id;
  END IF;
  IF job_id IS NULL THEN
    RAISE EXCEPTION 'connect_sync.sync_enqueue: % is not a sync queue; expected one of %', queue_name,
      (SELECT string_agg(name, ', ' ORDER BY name) FROM :PGBOSS_SCHEMA.queue WHERE name LIKE 'salesforce-sync.%' AND name <> 'salesforce-sync.dead-letter');
  END IF;
  -- Delivered at commit, as pg-boss's send does: a listening worker fetches at once.
  PERFORM pg_notify(:PGBOSS_NOTIFY_CHANNEL, queue_name);
  RETURN job_id;
END
$fn$;

-- One row per record whose job is waiting on a parent (see src/queue/parent-wait.ts).
CREATE TABLE IF NOT EXISTS :CONNECT_SYNC_SCHEMA.parent_wait (
  queue text NOT NULL,
  record_key text NOT NULL,
  -- The Salesforce object waited for (Editor__c) and its external id value.
  parent text NOT NULL,
  parent_key text NOT NULL,
  -- false when the record waits only for a row to exist (an update-only object's own row).
  needs_sfid boolean NOT NULL DEFAULT true,
  waiting_since timestamptz NOT NULL DEFAULT now(),
  waits integer NOT NULL DEFAULT 1,
  -- Set by the waker when the parent became ready; cleared by the next wait.
  woken_at timestamptz,
  -- Set when the record's job gave up: its other jobs of the same wait give up too, rather than
  -- starting the clock again; a job enqueued afterwards starts a wait of its own.
  gave_up_at timestamptz,
  PRIMARY KEY (queue, record_key)
);
CREATE INDEX IF NOT EXISTS parent_wait_unwoken ON :CONNECT_SYNC_SCHEMA.parent_wait (parent, parent_key) WHERE woken_at IS NULL;
