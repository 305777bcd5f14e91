/**
 * `connect_sync.parent_wait`: one row per record whose job is waiting on a parent, keyed by
 * (queue, record key). It keeps what must outlive each waiting job (pg-boss has no field for it):
 * since when the record has waited, how many times, and on which parent row — which the waker
 * watches. Written set-wise: one statement per worker batch. Created by migrations/connect-sync.
 */
import { sql } from 'drizzle-orm';
import type { Drizzle } from '../db/database.ts';
import { syncTable } from '../db/sql-names.ts';

const parentWaitTable = syncTable('parent_wait');

/** One record found waiting in a batch. */
export interface ParentWaitEntry {
  recordKey: string;
  parent: string;
  parentKey: string;
  needsSfid: boolean;
  /** When the job was enqueued, and whether it is a first run (not a successor of a wait). */
  createdOn: Date;
  firstRun: boolean;
}

/** How long a record has waited, after this wait is counted. */
export interface ParentWaitState {
  waits: number;
  waitedSeconds: number;
  /** Another job of the same wait already gave up. */
  gaveUp: boolean;
}

/**
 * In one statement: forgets the records of `done` (their jobs settled otherwise) and records one
 * more wait for each of `waiting`, returning each waiting record's count and time waited so far.
 */
export async function parentWaitsRecord(
  db: Pick<Drizzle, 'execute'>,
  queue: string,
  done: readonly string[],
  waiting: readonly ParentWaitEntry[],
): Promise<Map<string, ParentWaitState>> {
  if (waiting.length === 0) {
    if (done.length > 0) {
      await db.execute(sql`DELETE FROM ${parentWaitTable} WHERE queue = ${queue} AND record_key = ANY(${sql.param(done)}::text[])`);
    }
    return new Map();
  }
  // One row per record: two jobs of one record in a batch (sent without a key) count one wait.
  const unique = [...new Map(waiting.map((entry) => [entry.recordKey, entry])).values()];
  const entries = JSON.stringify(
    unique.map((entry) => ({
      record_key: entry.recordKey,
      parent: entry.parent,
      parent_key: entry.parentKey,
      needs_sfid: entry.needsSfid,
      // A first run enqueued after the record gave up starts a new wait.
      fresh_after: entry.firstRun ? entry.createdOn.toISOString() : null,
    })),
  );
  const { rows } = await db.execute<{ record_key: string; waits: number; waited_seconds: number; gave_up: boolean }>(sql`
    WITH done AS (
      DELETE FROM ${parentWaitTable} WHERE queue = ${queue} AND record_key = ANY(${sql.param(done)}::text[])
    ), e AS (
      SELECT * FROM json_to_recordset(${entries}::json) AS e (record_key text, parent text, parent_key text, needs_sfid boolean, fresh_after timestamptz)
    )
    INSERT INTO ${parentWaitTable} AS w (queue, record_key, parent, parent_key, needs_sfid, waiting_since)
    SELECT ${queue}, e.record_key, e.parent, e.parent_key, e.needs_sfid, coalesce(e.fresh_after, now()) FROM e
    ON CONFLICT (queue, record_key) DO UPDATE
      SET parent = excluded.parent, parent_key = excluded.parent_key, needs_sfid = excluded.needs_sfid, woken_at = NULL,
          waits = CASE WHEN w.gave_up_at < (SELECT fresh_after FROM e WHERE e.record_key = excluded.record_key) THEN 1 ELSE w.waits + 1 END,
          waiting_since = CASE WHEN w.gave_up_at < (SELECT fresh_after FROM e WHERE e.record_key = excluded.record_key) THEN now() ELSE w.waiting_since END,
          gave_up_at = CASE WHEN w.gave_up_at < (SELECT fresh_after FROM e WHERE e.record_key = excluded.record_key) THEN NULL ELSE w.gave_up_at END
    RETURNING w.record_key, w.waits, extract(epoch FROM now() - w.waiting_since)::float8 AS waited_seconds, w.gave_up_at IS NOT NULL AS gave_up`);
  return new Map(rows.map((row) => [row.record_key, { waits: row.waits, waitedSeconds: row.waited_seconds, gaveUp: row.gave_up }]));
}

/** Notes that the records of `keys` gave up waiting; nothing is left to wake. */
export async function parentWaitsGiveUp(db: Pick<Drizzle, 'execute'>, queue: string, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await db.execute(sql`
    UPDATE ${parentWaitTable} SET gave_up_at = coalesce(gave_up_at, now()), woken_at = now()
     WHERE queue = ${queue} AND record_key = ANY(${sql.param(keys)}::text[])`);
}
