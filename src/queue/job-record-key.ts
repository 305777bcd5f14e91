/**
 * A record key for every sync job, whoever sends it. Under pg-boss's `singleton` policy a job
 * without a singleton key shares the key '' with every other keyless job of its queue, so keyless
 * jobs run one at a time; worse, an active keyless job puts NULL into the queue's cached list of
 * active keys, and pg-boss's fetch (`key <> ALL(list)`) then claims nothing at all until the cache
 * is refreshed. A job sent with pg-boss directly, or from the pg-boss dashboard's "Send Job" with
 * the key left empty, would stall its whole queue.
 *
 * A trigger on pg-boss's job table therefore gives a keyless sync job its record's key, read from
 * the payload key the object declares (`roleId`), so one record still never runs twice at once;
 * a payload without a usable key gets a key of its own (`keyless:<job id>`) and runs beside the
 * others (the worker rejects it). Keyed jobs are left as they are.
 *
 * Jobs piled up for one record would slow every record: pg-boss claims at most one job per key
 * per fetch, so a pile at the head of the queue leaves batches short, and a short batch waits a
 * polling interval before the next fetch. The trigger therefore coalesces a job into an
 * identical one (same queue, key and payload) waiting and ready to run now: the new job is
 * stored as completed, `output.coalescedInto` naming the waiting one, which syncs the record as
 * it is when it runs. The waiting job is row-locked until the sender's transaction ends, so no
 * worker can run it before the change that sent the new job is committed (pg-boss's fetch skips
 * locked rows); one locked by another sender is left alone, and the new job is queued as usual.
 */
import type { PgBoss } from 'pg-boss';
import type { MirrorObjectSet } from '../mirror/object-set.ts';
import { bossSchema } from './queues.ts';

/** Longest payload value taken as a key; a longer one could not be indexed. */
const keyLengthMax = 200;

// A function, not a constant: queues.ts imports this module, and bossSchema is its export.
const triggerDefinition = () => `
CREATE SCHEMA IF NOT EXISTS connect_sync;
CREATE TABLE IF NOT EXISTS connect_sync.sync_queue_key (queue_name text PRIMARY KEY, payload_key text NOT NULL);
CREATE OR REPLACE FUNCTION connect_sync.sync_job_record_key() RETURNS trigger LANGUAGE plpgsql
-- The lookup below must use its index even when the job table was last analyzed empty (a fresh
-- database): a sequential scan per inserted row makes a large insert quadratic.
SET enable_seqscan = off AS $fn$
DECLARE
  key_name text;
  key_value text;
  waiting_id uuid;
BEGIN
  IF NEW.singleton_key IS NULL AND NEW.policy = 'singleton' THEN
    SELECT k.payload_key INTO key_name FROM connect_sync.sync_queue_key k WHERE k.queue_name = NEW.name;
    IF FOUND THEN
      key_value := CASE WHEN jsonb_typeof(NEW.data) = 'object' THEN NEW.data ->> key_name END;
      -- Uuids are keyed in lower case, as the payload check hands them on.
      IF key_value ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN key_value := lower(key_value); END IF;
      NEW.singleton_key := CASE WHEN length(key_value) BETWEEN 1 AND ${keyLengthMax} THEN key_value ELSE 'keyless:' || NEW.id::text END;
    END IF;
  END IF;
  IF NEW.state = 'created' AND NEW.policy = 'singleton' AND NEW.singleton_key IS NOT NULL
     AND EXISTS (SELECT 1 FROM connect_sync.sync_queue_key k WHERE k.queue_name = NEW.name) THEN
    SELECT j.id INTO waiting_id FROM ${bossSchema}.job j
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
CREATE INDEX IF NOT EXISTS sync_job_pending_key ON ${bossSchema}.job (name, singleton_key) WHERE state < 'active';
DROP INDEX IF EXISTS ${bossSchema}.sync_job_waiting_key;
CREATE INDEX IF NOT EXISTS sync_job_id ON ${bossSchema}.job (id);
DROP TRIGGER IF EXISTS sync_job_record_key ON ${bossSchema}.job;
CREATE TRIGGER sync_job_record_key BEFORE INSERT ON ${bossSchema}.job FOR EACH ROW EXECUTE FUNCTION connect_sync.sync_job_record_key();`;

/** Installs the trigger and records each sync queue's payload key; part of `migrate`. Idempotent. */
export async function jobRecordKeyInstall(boss: PgBoss, objects: MirrorObjectSet): Promise<void> {
  const db = boss.getDb();
  await db.executeSql(triggerDefinition());
  const keys = objects.objects.map((object) => ({ queue_name: object.queueName, payload_key: object.payloadKey }));
  await db.executeSql(
    `INSERT INTO connect_sync.sync_queue_key (queue_name, payload_key)
     SELECT queue_name, payload_key FROM jsonb_to_recordset($1::jsonb) AS k(queue_name text, payload_key text)
     ON CONFLICT (queue_name) DO UPDATE SET payload_key = excluded.payload_key`,
    [JSON.stringify(keys)],
  );
}
