/**
 * The doctor's SQL views in schema `connect_sync`, one definition read by `doctor`, `repair`, the
 * reconciler and anyone with psql. Every table, column, external id, lookup and Salesforce error
 * text in them is derived from the mirror declarations; nothing is spelled twice.
 *
 * School classes (`connect_sync.doctor_schools`, and one view per class): each school with no
 * synced Contact_Editor_Affiliation__c falls in the first class it meets, in the order of
 * {@link schoolClassNames}. Repair views list the rows and records `repair` acts on.
 */
import { createHash } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Database } from '../db/database.ts';
import { poolTransaction } from '../db/pool-transaction.ts';
import { contactEditorAffiliation } from '../mirror/objects/contact-editor-affiliation.ts';
import { editor } from '../mirror/objects/editor.ts';
import { mirrorObjects, parentLookups, type AnyMirrorObject, type ResolvedLookup } from '../mirror/registry.ts';
import { bossSchema, deadLetterQueue } from '../queue/queues.ts';

/** The schema our views live in (it also holds the migration journals). */
export const opsSchema = 'connect_sync';

/** The schema Heroku Connect's mirror tables live in. */
const mirrorSchema = 'salesforce';

/** The object each school is, and the child whose synced rows the doctor looks for. */
const subject = editor;
const child = contactEditorAffiliation;

/** The child's lookup to the subject (`editor__r__editoruuid__c`), and its other lookups. */
const subjectLookup = lookupTo(child, subject);
const otherLookups = parentLookups(child).filter((lookup) => lookup !== subjectLookup);

/** `Editor__c` → `Editor`: the word a class name uses for an object. */
export function objectWord(object: AnyMirrorObject): string {
  return object.name.replace(/__c$/, '').replace(/_/g, '');
}

/**
 * School classes in precedence order. `failedOn<Subject>` is recoverable (the parents are now
 * synced), `failedOn<Other>` is upstream (that parent is still not in Salesforce).
 */
export const schoolClassNames = [
  `no${objectWord(subject)}Row`,
  'rejected',
  `failedOn${objectWord(subject)}`,
  ...otherLookups.map((lookup) => `failedOn${objectWord(lookup.parent)}`),
  'noAffiliationRow',
  'noStaffRoles',
  'other',
] as const;

/** Job classes, read from pg-boss's own table. */
export const jobClassNames = ['deadLetter', 'waitingOnParent'] as const;

/** `noEditorRow` → `connect_sync.doctor_no_editor_row`. */
export function doctorViewName(className: string): string {
  return `doctor_${className.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)}`;
}

/** The view listing FAILED rows that a delete and a new job would heal. */
export const repairFailedRowsView = 'repair_failed_rows';
/** The view listing records with no mirror row and no job under way. */
export const repairMissingRowsView = 'repair_missing_rows';
/** The view every school class reads. */
export const doctorSchoolsView = 'doctor_schools';

function lookupTo(object: AnyMirrorObject, parent: AnyMirrorObject): ResolvedLookup {
  const lookup = parentLookups(object).find((candidate) => candidate.parent === parent);
  if (!lookup) throw new Error(`${object.name} has no lookup to ${parent.name}`);
  return lookup;
}

function column(alias: string, name: string): SQL {
  return sql`${sql.identifier(alias)}.${sql.identifier(name)}`;
}

/** Salesforce's own words when a lookup's parent is missing, without the value. */
export function lookupErrorText(lookup: ResolvedLookup): string {
  return ` not found for field ${lookup.parent.externalIdField} in entity ${lookup.parent.name}`;
}

function failedOn(alias: string, lookup: ResolvedLookup): SQL {
  return sql`strpos(${column(alias, '_hc_err')}, ${lookupErrorText(lookup)}) > 0`;
}

function failedRow(alias: string): SQL {
  return sql`${column(alias, '_hc_lastop')} = 'FAILED' AND ${column(alias, 'sfid')} IS NULL`;
}

/** The parent row `lookup` names for the row `alias` is in Salesforce. */
function parentSynced(alias: string, lookup: ResolvedLookup, parentAlias: string): SQL {
  return sql`EXISTS (SELECT 1 FROM ${lookup.parent.table} ${sql.identifier(parentAlias)}
    WHERE ${column(parentAlias, lookup.parent.externalId)} = ${column(alias, lookup.column)} AND ${column(parentAlias, 'sfid')} IS NOT NULL)`;
}

function parentsSynced(object: AnyMirrorObject, alias: string): SQL {
  return sql.join(
    parentLookups(object).map((lookup, index) => parentSynced(alias, lookup, `p${index}`)),
    sql` AND `,
  );
}

/** The record a mirror row stands for, as the text jobs name it by. */
function recordKey(object: AnyMirrorObject): SQL {
  return sql`(${object.fields[object.externalId]})::text`;
}

/** A job of `object` for `key` is waiting, running, or ran out of executions (still retained). */
function jobUnderWay(object: AnyMirrorObject, key: SQL, states: readonly string[]): SQL {
  return sql`EXISTS (SELECT 1 FROM ${sql.identifier(bossSchema)}.job j
    WHERE j.name = ${object.queueName} AND j.singleton_key = ${key} AND j.state IN (${sql.join(
      states.map((state) => sql`${state}`),
      sql`, `,
    )}))`;
}

/** States in which a job for a record is already on its way (or gave up and is kept for a person). */
const jobStatesHeld = ['created', 'retry', 'active', 'failed'];
/** States in which a job is waiting to run. */
export const jobStatesWaiting = ['created', 'retry', 'active'];

function notSkipped(object: AnyMirrorObject): SQL {
  // The skip condition is over the source table alone (a student role), so no joins are needed.
  return object.skip ? sql`NOT COALESCE((${object.skip.when}), false)` : sql`true`;
}

function schoolsSql(): SQL {
  const subjectKey = recordKey(subject);
  const childSource = child.source.table;
  // Source to source, uncast, so the app's index on the child's parent key serves it.
  const childToSubject = sql`${child.fields[subjectLookup.column]} = ${subject.fields[subject.externalId]}`;
  const affiliationOf = (extra: SQL) =>
    sql`EXISTS (SELECT 1 FROM ${child.table} a WHERE ${column('a', subjectLookup.column)} = ${subjectKey} AND ${extra})`;
  const rejected = subject.fields.rejectedat__c;
  if (!rejected) throw new Error(`${subject.name} declares no rejectedat__c field`);
  const cases = [
    sql`WHEN e.id IS NULL THEN ${schoolClassNames[0]}`,
    sql`WHEN (${rejected}) IS NOT NULL THEN 'rejected'`,
    sql`WHEN ${affiliationOf(sql`${failedRow('a')} AND ${failedOn('a', subjectLookup)} AND ${parentsSynced(child, 'a')}`)} THEN ${schoolClassNames[2]}`,
    ...otherLookups.map(
      (lookup) =>
        sql`WHEN ${affiliationOf(sql`${failedRow('a')} AND ${failedOn('a', lookup)} AND NOT ${parentSynced('a', lookup, 'p')}`)} THEN ${`failedOn${objectWord(lookup.parent)}`}`,
    ),
    sql`WHEN EXISTS (SELECT 1 FROM ${childSource} WHERE ${childToSubject} AND ${notSkipped(child)}
      AND NOT EXISTS (SELECT 1 FROM ${child.table} a WHERE ${column('a', child.externalId)} = ${recordKey(child)})) THEN 'noAffiliationRow'`,
    sql`WHEN NOT EXISTS (SELECT 1 FROM ${childSource} WHERE ${childToSubject} AND ${notSkipped(child)}) THEN 'noStaffRoles'`,
  ];
  return sql`SELECT ${subjectKey} AS school_id, CASE ${sql.join(cases, sql` `)} ELSE 'other' END AS class
    FROM ${subject.source.table}
    LEFT JOIN ${subject.table} e ON ${column('e', subject.externalId)} = ${subjectKey}
    WHERE NOT ${affiliationOf(sql`${column('a', 'sfid')} IS NOT NULL`)}`;
}

function syncQueueNames(): SQL {
  return sql.join(
    mirrorObjects.map((object) => sql`${object.queueName}`),
    sql`, `,
  );
}

function deadLetterSql(): SQL {
  return sql`SELECT j.id AS job_id, j.source_name AS queue_name, j.singleton_key AS record_id,
      j.source_output->>'message' AS error, j.created_on
    FROM ${sql.identifier(bossSchema)}.job j WHERE j.name = ${deadLetterQueue} AND j.state IN ('created', 'retry')`;
}

function waitingOnParentSql(): SQL {
  return sql`SELECT j.id AS job_id, j.name AS queue_name, j.singleton_key AS record_id, j.retry_count,
      j.output->>'message' AS error, j.start_after
    FROM ${sql.identifier(bossSchema)}.job j WHERE j.name IN (${syncQueueNames()}) AND j.state = 'retry'`;
}

/** FAILED rows of every object with lookups, failed on a lookup whose parents are all now synced. */
function repairFailedRowsSql(): SQL {
  const parts = mirrorObjects
    .filter((object) => parentLookups(object).length > 0)
    .map((object) => {
      const failedOnAny = sql.join(
        parentLookups(object).map((lookup) => failedOn('m', lookup)),
        sql` OR `,
      );
      const key = sql`${column('m', object.externalId)}::text`;
      return sql`SELECT ${object.name}::text AS object_name, ${object.queueName}::text AS queue_name, ${object.tableName}::text AS mirror_table,
          m.id AS mirror_row_id, ${key} AS record_id, ${jobUnderWay(object, key, jobStatesWaiting)} AS job_waiting
        FROM ${object.table} m
        WHERE ${failedRow('m')} AND (${failedOnAny}) AND ${parentsSynced(object, 'm')}`;
    });
  return sql.join(parts, sql` UNION ALL `);
}

/**
 * Records with no mirror row and no job on its way: schools without an Editor__c row, and staff
 * roles of schools not rejected without an affiliation row.
 */
function repairMissingRowsSql(): SQL {
  const missing = (object: AnyMirrorObject, extra: SQL) => {
    const key = recordKey(object);
    return sql`SELECT ${object.name}::text AS object_name, ${object.queueName}::text AS queue_name, ${key} AS record_id
      FROM ${object.source.table}
      WHERE ${notSkipped(object)} AND ${extra}
        AND NOT EXISTS (SELECT 1 FROM ${object.table} m WHERE ${column('m', object.externalId)} = ${key})
        AND NOT ${jobUnderWay(object, key, jobStatesHeld)}`;
  };
  const rejected = subject.fields.rejectedat__c;
  const childSchoolNotRejected = sql`NOT EXISTS (SELECT 1 FROM ${subject.source.table}
    WHERE ${subject.fields[subject.externalId]} = ${child.fields[subjectLookup.column]} AND (${rejected}) IS NOT NULL)`;
  return sql`${missing(subject, sql`true`)} UNION ALL ${missing(child, childSchoolNotRejected)}`;
}

/** Every view, name → SELECT, in creation order. */
function viewDefinitions(): [string, SQL][] {
  const views: [string, SQL][] = [[doctorSchoolsView, schoolsSql()]];
  for (const name of schoolClassNames) {
    views.push([doctorViewName(name), sql`SELECT school_id FROM ${sql.identifier(opsSchema)}.${sql.identifier(doctorSchoolsView)} WHERE class = ${name}`]);
  }
  views.push([doctorViewName('deadLetter'), deadLetterSql()]);
  views.push([doctorViewName('waitingOnParent'), waitingOnParentSql()]);
  views.push([repairFailedRowsView, repairFailedRowsSql()]);
  views.push([repairMissingRowsView, repairMissingRowsSql()]);
  return views;
}

const dialect = new PgDialect();

/** The DDL that (re)creates every view; values are inlined, since a view cannot take parameters. */
export function doctorViewsSql(): string {
  // Values inlined here come only from the declarations and are quoted by drizzle.
  return viewDefinitions()
    .map(([name, select]) => {
      const query = dialect.sqlToQuery(sql`CREATE VIEW ${sql.identifier(opsSchema)}.${sql.identifier(name)} AS ${select}`.inlineParams());
      return query.sql;
    })
    .join(';\n');
}

/** A fingerprint of the definitions, kept as the schema view's comment to know when to rebuild. */
function definitionsVersion(text: string): string {
  return `connect-sync doctor views ${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
}

/**
 * Creates the views, or rebuilds them when the declarations changed since they were made.
 * Needs the mirror tables (Connect's in production; `migrate --mirror` elsewhere) and pg-boss's schema.
 */
export async function doctorViewsEnsure(database: Pick<Database, 'pool'>): Promise<'created' | 'current'> {
  const text = doctorViewsSql();
  const version = definitionsVersion(text);
  const ident = (name: string) => `${opsSchema}.${name}`;
  const { rows } = await database.pool.query<{ comment: string | null }>(`SELECT obj_description(to_regclass($1), 'pg_class') AS comment`, [
    ident(doctorSchoolsView),
  ]);
  if (rows[0]?.comment === version) return 'current';
  const { rows: tables } = await database.pool.query<{ missing: string[] }>(
    `SELECT array_agg(t) FILTER (WHERE to_regclass(t) IS NULL) AS missing FROM unnest($1::text[]) t`,
    [[...mirrorObjects.map((object) => `${mirrorSchema}.${object.tableName}`), `${bossSchema}.job`]],
  );
  const missing = tables[0]?.missing ?? [];
  if (missing.length > 0) {
    throw new Error(`The doctor's views need ${missing.join(', ')}: run connect-sync migrate (and migrate --mirror outside production) first.`);
  }
  await poolTransaction(database.pool, async (client) => {
    // Two processes starting at once must not both rebuild.
    await client.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [version]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${opsSchema}`);
    for (const [name] of viewDefinitions().reverse()) await client.query(`DROP VIEW IF EXISTS ${opsSchema}.${name}`);
    await client.query(text);
    await client.query(`COMMENT ON VIEW ${opsSchema}.${doctorSchoolsView} IS '${version}'`);
  });
  return 'created';
}
