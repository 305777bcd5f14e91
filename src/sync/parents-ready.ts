/**
 * The parent guard: a row with lookups may be written only when every parent it names has a
 * mirror row with an sfid, that is once Salesforce has the parent. Heroku Connect never retries
 * a row that failed on a missing parent, so writing early loses the row for good.
 * Checked set-wise: one query per parent object for a whole batch.
 */
import { sql } from 'drizzle-orm';
import type { Drizzle } from '../db/database.ts';
import type { AnyMirrorObject, MirrorObjectSet } from '../mirror/object-set.ts';
import type { MirrorRow } from './mirror-rows.ts';
import { ParentNotSyncedError } from './sync-errors.ts';

/** A requirement a row must meet before it is written. */
interface Requirement {
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

/**
 * For each row (keyed by record id), the first requirement it does not meet, as the error its
 * job waits with; rows that may be written are absent from the result.
 */
export async function parentsMissing(
  db: Drizzle,
  objects: MirrorObjectSet,
  object: AnyMirrorObject,
  rows: ReadonlyMap<string, MirrorRow>,
): Promise<Map<string, ParentNotSyncedError>> {
  const missing = new Map<string, ParentNotSyncedError>();
  for (const requirement of requirementsOf(objects, object)) {
    const waiting = [...rows].filter(([id, row]) => !missing.has(id) && typeof row[requirement.column] === 'string');
    if (waiting.length === 0) continue;
    const values = [...new Set(waiting.map(([, row]) => row[requirement.column] as string))];
    const found = await mirrorRowsFind(db, requirement.object, values);
    for (const [id, row] of waiting) {
      const value = row[requirement.column] as string;
      const state = found.get(value);
      const ready = requirement.needs === 'row' ? state !== undefined : state === true;
      if (!ready) missing.set(id, new ParentNotSyncedError(requirement.object.name, requirement.object.externalId, value, state !== undefined));
    }
  }
  return missing;
}

/** External id → whether its mirror row has an sfid, for the rows of `object` that exist. */
export async function mirrorRowsFind(db: Drizzle, object: AnyMirrorObject, values: readonly string[]): Promise<Map<string, boolean>> {
  const externalId = sql.identifier(object.externalId);
  const { rows } = await db.execute<{ value: string; synced: boolean }>(
    sql`SELECT ${externalId} AS value, bool_or(sfid IS NOT NULL) AS synced FROM ${object.table}
        WHERE ${externalId} = ANY(${sql.param(values)}::text[]) GROUP BY ${externalId}`,
  );
  return new Map(rows.map((row) => [row.value, row.synced]));
}
