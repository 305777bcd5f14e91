/**
 * SQL fragments the doctor's functions are built from, each derived from a declaration: a mirror row
 * that failed, the lookup it failed on (by Salesforce's own error text), whether a parent is in
 * Salesforce now, whether a record's job is under way. The generic functions and a preset's checks
 * (the editor's school classification) share them, so each is spelled once.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { AnyMirrorObject, MirrorObjectSet, ResolvedLookup } from '../mirror/object-set.ts';
import { sqlIdentifier, syncSchema } from '../db/sql-names.ts';
import { bossSchema } from '../queue/queues.ts';

/** The schema the doctor's functions live in (connect-sync's own: it also holds the migration journals). */
export const opsSchema = syncSchema;

/** `alias.name`, both quoted. */
export function column(alias: string, name: string): SQL {
  return sql`${sqlIdentifier(alias)}.${sqlIdentifier(name)}`;
}

/** A call of one of the doctor's functions, schema-qualified: a relation to select from. */
export function opsFunction(name: string): SQL {
  return sql`${sqlIdentifier(opsSchema)}.${sqlIdentifier(name)}()`;
}

/** Salesforce's own words when a lookup's parent is missing, without the value. */
export function lookupErrorText(lookup: ResolvedLookup): string {
  return ` not found for field ${lookup.parent.externalIdField} in entity ${lookup.parent.name}`;
}

/** The row `alias` failed on `lookup`'s parent. */
export function failedOn(alias: string, lookup: ResolvedLookup): SQL {
  return sql`strpos(${column(alias, '_hc_err')}, ${lookupErrorText(lookup)}) > 0`;
}

/** The row `alias` is FAILED in Connect and never reached Salesforce. */
export function failedRow(alias: string): SQL {
  return sql`${column(alias, '_hc_lastop')} = 'FAILED' AND ${column(alias, 'sfid')} IS NULL`;
}

/** The parent row `lookup` names for the row `alias` is in Salesforce. */
export function parentSynced(alias: string, lookup: ResolvedLookup, parentAlias: string): SQL {
  return sql`EXISTS (SELECT 1 FROM ${lookup.parent.table} ${sqlIdentifier(parentAlias)}
    WHERE ${column(parentAlias, lookup.parent.externalId)} = ${column(alias, lookup.column)} AND ${column(parentAlias, 'sfid')} IS NOT NULL)`;
}

/** Every parent the row `alias` of `object` names is in Salesforce. */
export function parentsSynced(objects: MirrorObjectSet, object: AnyMirrorObject, alias: string): SQL {
  const lookups = objects.parentLookups(object);
  if (lookups.length === 0) return sql`true`;
  return sql.join(
    lookups.map((lookup, index) => parentSynced(alias, lookup, `p${index}`)),
    sql` AND `,
  );
}

/** The record a mirror row stands for, as the text jobs name it by, over the source table. */
export function recordKey(object: AnyMirrorObject): SQL {
  return sql`(${object.fields[object.externalId]})::text`;
}

/** States in which a job for a record is already on its way (or gave up and is kept for a person). */
export const jobStatesHeld = ['created', 'retry', 'active', 'failed'] as const;
/** States in which a job is waiting to run, or running. */
export const jobStatesWaiting = ['created', 'retry', 'active'] as const;

/** A job of `object` for `key` is in one of `states`. */
export function jobUnderWay(object: AnyMirrorObject, key: SQL, states: readonly string[]): SQL {
  return sql`EXISTS (SELECT 1 FROM ${sqlIdentifier(bossSchema)}.job j
    WHERE j.name = ${object.queueName} AND j.singleton_key = ${key} AND j.state IN (${sql.join(
      states.map((state) => sql`${state}`),
      sql`, `,
    )}))`;
}

// `x IS NOT TRUE` rather than `NOT COALESCE(x, false)`, the same truth: the planner estimates it
// from x's own statistics (COALESCE gets a flat 50 %), and a misestimate at ten million rows picks
// a join order that hashes a whole table for nothing.

/** The source record is one the object syncs (not skipped, such as a student role). */
export function notSkipped(object: AnyMirrorObject): SQL {
  return object.skip ? sql`(${object.skip.when}) IS NOT TRUE` : sql`true`;
}

/** The source record is expected to have a mirror row (a rejected school's staff are not). */
export function rowExpected(object: AnyMirrorObject): SQL {
  return object.expected ? sql`(${object.expected}) IS TRUE` : sql`true`;
}

/** `Editor__c` → `Editor`: the word a class name uses for an object. */
export function objectWord(object: AnyMirrorObject): string {
  return object.name.replace(/__c$/, '').replace(/_/g, '');
}
