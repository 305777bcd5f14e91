/**
 * From job payloads to the mirror rows they should produce: source records read set-wise,
 * payload fields applied, strings cut to their column's length.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Drizzle } from '../db/database.ts';
import type { AnyMirrorObject } from '../mirror/object-set.ts';
import { sourceQuery } from './source-query.ts';

/** A mirror row's values by column name, ready to be written. */
export type MirrorRow = Record<string, string | number | boolean | null>;

/** What one source record gives: a row to write, or the reason it is not synced. */
export type SourceResult = { row: MirrorRow; extras: Record<string, unknown> } | { skipped: string };

/**
 * Reads the records `payloads` name and builds their mirror rows. The map holds a result per
 * record id found; ids missing from it name records the app does not have. `extras` are read in
 * the same statement (the parent guard's states) and handed back per record as they came.
 */
export async function mirrorRowsBuild(
  db: Drizzle,
  object: AnyMirrorObject,
  payloads: readonly object[],
  extras: Readonly<Record<string, SQL>> = {},
): Promise<Map<string, SourceResult>> {
  const ids = [...new Set(payloads.map((payload) => object.recordId(payload)))];
  const records = await sourceRecordsRead(db, object, ids, extras);
  const results = new Map<string, SourceResult>();
  for (const payload of payloads) {
    const id = object.recordId(payload);
    const record = records.get(id);
    if (!record) continue;
    if (record.__skip) {
      results.set(id, { skipped: object.skip?.reason ?? 'skipped' });
      continue;
    }
    const row: MirrorRow = {};
    for (const column of Object.keys(object.fields)) row[column] = mirrorValue(record[column]);
    for (const [column, value] of Object.entries(object.payloadFields?.(payload) ?? {})) row[column] = value ?? null;
    results.set(id, { row: truncated(object, row), extras: Object.fromEntries(Object.keys(extras).map((key) => [key, record[key]])) });
  }
  return results;
}

type SourceRecord = Record<string, unknown> & { __id: string; __skip: boolean };

async function sourceRecordsRead(
  db: Drizzle,
  object: AnyMirrorObject,
  ids: readonly string[],
  extras: Readonly<Record<string, SQL>>,
): Promise<Map<string, SourceRecord>> {
  if (ids.length === 0) return new Map();
  const { source, skip } = object;
  const selection: Record<string, SQL | AnyMirrorObject['source']['id']> = {
    ...object.fieldReads,
    ...extras,
    __id: sql<string>`${source.id}::text`,
    __skip: skip ? sql<boolean>`(${skip.when})` : sql<boolean>`false`,
  };
  // Ids arrive as text; cast the parameter, not the column, so the key's index serves the lookup.
  const idType = sql.raw(source.id.getSQLType());
  const rows = (await sourceQuery(db, object, selection).where(sql`${source.id} = ANY(${sql.param(ids)}::${idType}[])`)) as SourceRecord[];
  return new Map(rows.map((row) => [row.__id, row]));
}

function mirrorValue(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value;
  return String(value);
}

/** The cut-off mark Salesforce users see at the end of a shortened value. */
const ellipsis = '…';

function truncated(object: AnyMirrorObject, row: MirrorRow): MirrorRow {
  for (const [column, length] of Object.entries(object.columnLengths)) {
    const value = row[column];
    if (typeof value === 'string' && [...value].length > length) {
      row[column] = [...value].slice(0, length - 1).join('') + ellipsis;
    }
  }
  return row;
}
