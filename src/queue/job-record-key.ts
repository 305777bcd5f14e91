/**
 * A record key for every sync job, whoever sends it. Under pg-boss's `singleton` policy a job
 * without a singleton key shares the key '' with every other keyless job of its queue, so keyless
 * jobs run one at a time; worse, an active keyless job puts NULL into the queue's cached list of
 * active keys, and pg-boss's fetch (`key <> ALL(list)`) then claims nothing at all until the cache
 * is refreshed. A job sent with pg-boss directly, or from the pg-boss dashboard's "Send Job" with
 * the key left empty, would stall its whole queue.
 *
 * A trigger on pg-boss's job table (migrations/connect-sync) therefore gives a keyless sync job its record's key, read from
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
import type pg from 'pg';
import { syncSchema, qualifiedName } from '../db/sql-names.ts';
import type { MirrorObjectSet } from '../mirror/object-set.ts';

/**
 * Records each sync queue's payload key, which the trigger (migrations/connect-sync) reads; part
 * of `migrate`, after the migrations. Per declared object, so ensured on every run.
 */
export async function jobRecordKeysEnsure(pool: Pick<pg.Pool, 'query'>, objects: MirrorObjectSet): Promise<void> {
  const keys = objects.objects.map((object) => ({ queue_name: object.queueName, payload_key: object.payloadKey }));
  await pool.query(
    `INSERT INTO ${qualifiedName(syncSchema, 'sync_queue_key')} (queue_name, payload_key)
     SELECT queue_name, payload_key FROM jsonb_to_recordset($1::jsonb) AS k(queue_name text, payload_key text)
     ON CONFLICT (queue_name) DO UPDATE SET payload_key = excluded.payload_key`,
    [JSON.stringify(keys)],
  );
}
