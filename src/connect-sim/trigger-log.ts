/**
 * Reading and settling `salesforce._trigger_log` entries, as Connect's sync engine does: NEW
 * entries in id order; a settled entry gets its state, result and processing time, and a
 * successful one moves to `_trigger_log_archive`.
 */
import pg from 'pg';
import type { Queryable } from './org-records.ts';
import { mirrorSchemaName } from './trigger-functions.ts';

/** One trigger-log entry: a mirror row's INSERT, UPDATE or DELETE by the app. */
export interface TriggerLogEntry {
  id: string;
  createdAt: Date;
  /** How long it has waited since it was logged, by the database's clock, when it was read. */
  waitedMs: number;
  state: string;
  action: 'INSERT' | 'UPDATE' | 'DELETE';
  tableName: string;
  recordId: number;
  sfid: string | null;
  old: Record<string, unknown> | null;
  values: Record<string, unknown> | null;
}

/** How an entry ended. */
export type TriggerLogOutcome = { state: 'SUCCESS'; sfid: string | null } | { state: 'FAILED'; message: string };

const schema = pg.escapeIdentifier(mirrorSchemaName);

interface EntryRow {
  id: string;
  created_at: Date;
  waited_ms: number;
  state: string;
  action: TriggerLogEntry['action'];
  table_name: string;
  record_id: number;
  sfid: string | null;
  old: Record<string, unknown> | null;
  values: Record<string, unknown> | null;
}

/** Every entry still waiting to be sent (state NEW), oldest first. */
export async function triggerLogNewList(client: Queryable): Promise<TriggerLogEntry[]> {
  const { rows } = await client.query<EntryRow>(
    `SELECT id::text, created_at, (extract(epoch FROM clock_timestamp() - created_at) * 1000)::float8 AS waited_ms, state, action, table_name, record_id, sfid, old, values
       FROM ${schema}._trigger_log WHERE state = 'NEW' ORDER BY id`,
  );
  return rows.map((row) => ({
    id: row.id,
    createdAt: row.created_at,
    waitedMs: row.waited_ms,
    state: row.state,
    action: row.action,
    tableName: row.table_name,
    recordId: row.record_id,
    sfid: row.sfid,
    old: row.old,
    values: row.values,
  }));
}

/**
 * Records how `entry` ended. SUCCESS moves it to the archive; FAILED stays in the log with
 * Salesforce's error in `sf_message`, where a person can find it (Connect never retries it).
 */
export async function triggerLogEntrySettle(client: Queryable, entryId: string, outcome: TriggerLogOutcome): Promise<void> {
  const message = outcome.state === 'FAILED' ? outcome.message : null;
  const sfid = outcome.state === 'SUCCESS' ? outcome.sfid : null;
  await client.query(
    `UPDATE ${schema}._trigger_log
        SET state = $2, sf_message = $3, sfid = coalesce($4, sfid), sf_result = $5,
            processed_at = now(), processed_tx = txid_current(), updated_at = now()
      WHERE id = $1`,
    [entryId, outcome.state, message, sfid, outcome.state === 'SUCCESS' ? 0 : 1],
  );
  if (outcome.state === 'SUCCESS') {
    await client.query(
      `WITH moved AS (DELETE FROM ${schema}._trigger_log WHERE id = $1 RETURNING *)
       INSERT INTO ${schema}._trigger_log_archive SELECT * FROM moved`,
      [entryId],
    );
  }
}

/** Locks `entryId` for sending; false when it is no longer NEW (another engine took it). */
export async function triggerLogEntryClaim(client: Queryable, entryId: string): Promise<boolean> {
  const { rows } = await client.query(`SELECT 1 FROM ${schema}._trigger_log WHERE id = $1 AND state = 'NEW' FOR UPDATE SKIP LOCKED`, [entryId]);
  return rows.length > 0;
}
