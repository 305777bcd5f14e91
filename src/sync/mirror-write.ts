/**
 * Writes mirror rows set-wise: one statement per batch, values passed as one JSON parameter.
 * A row whose values are unchanged is not touched, so Connect logs no empty update.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Drizzle } from '../db/database.ts';
import { sqlIdentifier } from '../db/sql-names.ts';
import type { AnyMirrorObject } from '../mirror/object-set.ts';
import type { MirrorRow } from './mirror-rows.ts';

/** Inserts or updates (`upsert`), or only updates (`update`), the rows; returns how many changed. */
export async function mirrorRowsWrite(db: Drizzle, object: AnyMirrorObject, rows: readonly MirrorRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const columns = [object.externalId, ...Object.keys(object.fields).filter((c) => c !== object.externalId), ...object.payloadColumns];
  const recordset = sql`jsonb_to_recordset(${JSON.stringify(dedupe(object, rows))}::jsonb) AS v(${sql.join(
    columns.map((column) => sql`${sqlIdentifier(column)} ${sql.raw(object.columnTypes[column] ?? 'text')}`),
    sql`, `,
  )})`;
  const kept = new Set(object.payloadColumns);
  // Payload columns the job left unset keep what the mirror row holds.
  const incoming = (source: string) => (column: string): SQL =>
    kept.has(column)
      ? sql`COALESCE(${sqlIdentifier(source)}.${sqlIdentifier(column)}, m.${sqlIdentifier(column)})`
      : sql`${sqlIdentifier(source)}.${sqlIdentifier(column)}`;
  const list = (parts: SQL[]) => sql.join(parts, sql`, `);
  const current = list(columns.map((column) => sql`m.${sqlIdentifier(column)}`));
  const externalId = sqlIdentifier(object.externalId);

  const statement =
    object.write === 'upsert'
      ? sql`INSERT INTO ${object.table} AS m (${list(columns.map((c) => sqlIdentifier(c)))})
            SELECT ${list(columns.map((c) => sql`v.${sqlIdentifier(c)}`))} FROM ${recordset}
            ON CONFLICT (${externalId}) DO UPDATE SET ${list(columns.map((c) => sql`${sqlIdentifier(c)} = ${incoming('excluded')(c)}`))}
            WHERE (${current}) IS DISTINCT FROM (${list(columns.map(incoming('excluded')))})`
      : sql`UPDATE ${object.table} AS m SET ${list(columns.map((c) => sql`${sqlIdentifier(c)} = ${incoming('v')(c)}`))}
            FROM ${recordset}
            WHERE m.${externalId} = v.${externalId}
              AND (${current}) IS DISTINCT FROM (${list(columns.map(incoming('v')))})`;
  const result = await db.execute(statement);
  return result.rowCount ?? 0;
}

// One row per external id: a statement may not change the same row twice.
function dedupe(object: AnyMirrorObject, rows: readonly MirrorRow[]): MirrorRow[] {
  return [...new Map(rows.map((row) => [row[object.externalId], row])).values()];
}
