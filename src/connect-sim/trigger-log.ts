/**
 * Reading and settling the `_trigger_log` entries of the mirror schema, as Connect's sync engine
 * does: NEW entries in id order, a page at a time; a settled entry gets its state, result and
 * processing time, and a successful one moves to `_trigger_log_archive`. Each step is one
 * statement for a whole page, and takes the mirror schema's name.
 */
import { identifierQuote } from '../db/sql-names.ts';
import type { Queryable } from './org-records.ts';

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

/** The id of the newest entry waiting to be sent (state NEW), or undefined when none waits. */
export async function triggerLogNewLast(client: Queryable, mirrorSchema: string): Promise<string | undefined> {
  const schema = identifierQuote(mirrorSchema);
  const { rows } = await client.query<{ last: string | null }>(`SELECT max(id)::text AS last FROM ${schema}._trigger_log WHERE state = 'NEW'`);
  return rows[0]?.last ?? undefined;
}

/** Up to `limit` entries waiting to be sent (state NEW) with ids after `after` and up to `upTo`, oldest first. */
export async function triggerLogNewPage(client: Queryable, mirrorSchema: string, page: { after: string; upTo: string; limit: number }): Promise<TriggerLogEntry[]> {
  const schema = identifierQuote(mirrorSchema);
  const { rows } = await client.query<EntryRow>(
    `SELECT id::text, created_at, (extract(epoch FROM clock_timestamp() - created_at) * 1000)::float8 AS waited_ms, state, action, table_name, record_id, sfid, old, values
       FROM ${schema}._trigger_log AS entry WHERE state = 'NEW' AND entry.id > $1::bigint AND entry.id <= $2::bigint
      -- By the bigint column, not the text id selected: '1000' sorts before '999'.
      ORDER BY entry.id LIMIT $3`,
    [page.after, page.upTo, page.limit],
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

/** Locks the entries of `entryIds` still NEW for sending; returns their ids (another engine may hold the rest). */
export async function triggerLogEntriesClaim(client: Queryable, mirrorSchema: string, entryIds: readonly string[]): Promise<Set<string>> {
  const schema = identifierQuote(mirrorSchema);
  const { rows } = await client.query<{ id: string }>(
    `SELECT entry.id::text FROM ${schema}._trigger_log AS entry JOIN unnest($1::bigint[]) AS wanted(id) ON entry.id = wanted.id
      WHERE entry.state = 'NEW' ORDER BY entry.id FOR UPDATE OF entry SKIP LOCKED`,
    [entryIds],
  );
  return new Set(rows.map((row) => row.id));
}

/**
 * Records how each entry ended, a statement per outcome. SUCCESS moves an entry to the archive;
 * FAILED stays in the log with Salesforce's error in `sf_message`, where a person can find it
 * (Connect never retries it).
 */
export async function triggerLogEntriesSettle(
  client: Queryable,
  mirrorSchema: string,
  settled: readonly { entryId: string; outcome: TriggerLogOutcome }[],
): Promise<void> {
  const schema = identifierQuote(mirrorSchema);
  const failed = settled.flatMap(({ entryId, outcome }) => (outcome.state === 'FAILED' ? [{ id: entryId, message: outcome.message }] : []));
  const succeeded = settled.flatMap(({ entryId, outcome }) => (outcome.state === 'SUCCESS' ? [{ id: entryId, sfid: outcome.sfid }] : []));
  if (failed.length > 0) {
    await client.query(
      `UPDATE ${schema}._trigger_log AS entry
          SET state = 'FAILED', sf_message = f.message, sf_result = 1, processed_at = now(), processed_tx = txid_current(), updated_at = now()
         FROM jsonb_to_recordset($1::jsonb) AS f(id bigint, message text)
        WHERE entry.id = f.id`,
      [JSON.stringify(failed)],
    );
  }
  if (succeeded.length > 0) {
    await client.query(
      `WITH moved AS (
         DELETE FROM ${schema}._trigger_log AS entry USING jsonb_to_recordset($1::jsonb) AS s(id bigint, sfid text)
          WHERE entry.id = s.id RETURNING entry.*, s.sfid AS sent_sfid)
       INSERT INTO ${schema}._trigger_log_archive
         (id, txid, created_at, updated_at, processed_at, processed_tx, state, action, table_name, record_id, sfid, old, values, sf_result, sf_message)
       SELECT id, txid, created_at, now(), now(), txid_current(), 'SUCCESS', action, table_name, record_id, coalesce(sent_sfid, sfid), old, values, 0, NULL
         FROM moved`,
      [JSON.stringify(succeeded)],
    );
  }
}
