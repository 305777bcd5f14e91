-- The successor jobs the worker enqueues for records waiting on a parent, by job id: pg-boss's job
-- row has no column to tell them from the app's own jobs (see src/queue/wait-successor.ts).
-- A successor carries no change newer than the wait it continues, so once a batch that read the
-- record after the successor was enqueued writes the record, the successor has nothing left to do:
-- that batch completes it as superseded instead of leaving it queued until its backoff runs out.
-- One row per successor not yet run; removed when it runs or is settled, swept when its job is gone.
CREATE TABLE :CONNECT_SYNC_SCHEMA.wait_successor (
  job_id uuid PRIMARY KEY,
  queue text NOT NULL,
  record_key text NOT NULL
);
CREATE INDEX wait_successor_record ON :CONNECT_SYNC_SCHEMA.wait_successor (queue, record_key);
