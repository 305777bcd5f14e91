/**
 * The parent guard: a row with lookups may be written only when every parent it names has a
 * mirror row with an sfid, that is once Salesforce has the parent. Heroku Connect never retries
 * a row that failed on a missing parent, so writing early loses the row for good.
 * Checked set-wise: a lookup read straight from a source column is checked inside the batch's one
 * read of its records ({@link parentStateSelection}); any other, with one query per parent object.
 */
import { getTableName, is, sql, type SQL } from 'drizzle-orm';
import { PgColumn } from 'drizzle-orm/pg-core';
import type { Drizzle } from '../db/database.ts';
import { sqlIdentifier } from '../db/sql-names.ts';
import type { AnyMirrorObject, MirrorObjectSet } from '../mirror/object-set.ts';
import type { MirrorRow } from './mirror-rows.ts';
import { ParentNotSyncedError } from './sync-errors.ts';

/** A requirement a row must meet before it is written. */
export interface Requirement {
  /** The object whose mirror row is required. */
  object: AnyMirrorObject;
  /** The row's column holding the required row's external id. */
  column: string;
  /** `sfid`: the row must be in Salesforce; `row`: it must only exist (an update-only target). */
  needs: 'sfid' | 'row';
}

/** What a row of `object` must wait for, in the order it is checked. */
export function requirementsOf(objects: MirrorObjectSet, object: AnyMirrorObject): Requirement[] {
  const parents = objects.parentLookups(object).map(({ column, parent }): Requirement => ({ object: parent, column, needs: 'sfid' }));
  // An update-only object changes a row someone else creates; until it exists there is nothing to change.
  const target: Requirement[] = object.write === 'update' ? [{ object, column: object.externalId, needs: 'row' }] : [];
  return [...target, ...parents];
}

/** A required mirror row, as the batch's read found it: with an sfid, without one, or absent (null). */
export type ParentState = boolean | null;

/** The key a requirement's state is selected under in the batch's read. */
export function parentStateKey(index: number): string {
  return `__parent_${index}`;
}

/**
 * For each requirement whose lookup is a plain source column, the SQL that reads its parent's
 * state in the same statement as the records: `bool_or(sfid IS NOT NULL)` of the parent's mirror
 * row by its unique external id, so true, false, or null when there is no row.
 */
export function parentStateSelection(
  object: AnyMirrorObject,
  requirements: readonly Requirement[],
  tablesMissing: ReadonlySet<AnyMirrorObject> = new Set(),
): Record<string, SQL> {
  const selection: Record<string, SQL> = {};
  requirements.forEach((requirement, index) => {
    const source = object.fields[requirement.column];
    if (!is(source, PgColumn) || tablesMissing.has(requirement.object)) return;
    // Qualified by hand: drizzle leaves a single-table select's columns bare, and inside this
    // subquery a bare name could resolve to the parent's own column of the same name.
    const value = sql`${sqlIdentifier(getTableName(source.table))}.${sqlIdentifier(source.name)}`;
    selection[parentStateKey(index)] = sql<ParentState>`(SELECT bool_or(connect_sync_parent.sfid IS NOT NULL)
      FROM ${requirement.object.table} connect_sync_parent
      WHERE connect_sync_parent.${sqlIdentifier(requirement.object.externalId)} = (${value})::text)`;
  });
  return selection;
}

/**
 * For each row (keyed by record id), the first requirement it does not meet, as the error its
 * job waits with; rows that may be written are absent from the result. `known` holds the states
 * the batch's read already found (by {@link parentStateKey}); the rest are queried here. A parent
 * whose mirror table is in `tablesMissing` (Connect is making it again) is not ready: its
 * children wait for it like for any parent on its way.
 */
export async function parentsMissing(
  db: Drizzle,
  requirements: readonly Requirement[],
  rows: ReadonlyMap<string, MirrorRow>,
  known: ReadonlyMap<string, Readonly<Record<string, unknown>>> = new Map(),
  tablesMissing: ReadonlySet<AnyMirrorObject> = new Set(),
): Promise<Map<string, ParentNotSyncedError>> {
  const missing = new Map<string, ParentNotSyncedError>();
  for (const [index, requirement] of requirements.entries()) {
    const waiting = [...rows].filter(([id, row]) => !missing.has(id) && typeof row[requirement.column] === 'string');
    if (waiting.length === 0) continue;
    const { object: parent } = requirement;
    const tableMissing = tablesMissing.has(parent);
    const key = parentStateKey(index);
    const read = tableMissing || waiting.every(([id]) => key in (known.get(id) ?? {}));
    const found = read ? undefined : await mirrorRowsFind(db, parent, [...new Set(waiting.map(([, row]) => row[requirement.column] as string))]);
    for (const [id, row] of waiting) {
      const value = row[requirement.column] as string;
      const state = tableMissing ? undefined : found ? found.get(value) : ((known.get(id)?.[key] as ParentState) ?? undefined);
      const ready = requirement.needs === 'row' ? state !== undefined : state === true;
      if (!ready) missing.set(id, new ParentNotSyncedError(parent.name, parent.externalId, value, state !== undefined, tableMissing));
    }
  }
  return missing;
}

/** External id → whether its mirror row has an sfid, for the rows of `object` that exist. */
export async function mirrorRowsFind(db: Drizzle, object: AnyMirrorObject, values: readonly string[]): Promise<Map<string, boolean>> {
  const externalId = sqlIdentifier(object.externalId);
  const { rows } = await db.execute<{ value: string; synced: boolean }>(
    sql`SELECT ${externalId} AS value, bool_or(sfid IS NOT NULL) AS synced FROM ${object.table}
        WHERE ${externalId} = ANY(${sql.param(values)}::text[]) GROUP BY ${externalId}`,
  );
  return new Map(rows.map((row) => [row.value, row.synced]));
}
