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
CREATE OR REPLACE FUNCTION connect_sync.sync_job_record_key() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  key_name text;
  key_value text;
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
  RETURN NEW;
END
$fn$;
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
