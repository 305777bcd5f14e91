/**
 * The doctor's SQL functions in schema `connect_sync`, one definition read by `doctor`, `repair`,
 * the reconciler and anyone with psql (`SELECT * FROM connect_sync.doctor_failed_rows()`). Every
 * table, column, external id, lookup and Salesforce error text in them is derived from the
 * declarations; nothing is spelled twice. For every declared object: FAILED rows and the lookup
 * each failed on, records with no mirror row, dead letters and jobs waiting on a parent; the
 * repair functions list what `repair` acts on. A preset's checks add functions of their own.
 *
 * Functions, not views: Heroku Connect owns the mirror tables and drops one and makes it again
 * when a mapping is reloaded; a view on it makes Postgres refuse that `DROP TABLE`. A SQL
 * function's body is only text to Postgres (no dependency is recorded), read again at each call,
 * and, being STABLE and a single SELECT, inlined into the query that calls it like a view.
 */
import { createHash } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Database } from '../db/database.ts';
import { poolTransaction } from '../db/pool-transaction.ts';
import { identifierQuote, qualifiedName, sqlIdentifier, syncTable } from '../db/sql-names.ts';
import { mirrorTableName } from '../mirror/mirror-table-name.ts';
import { mirrorTablesMissing } from '../mirror/mirror-tables-missing.ts';
import type { AnyMirrorObject, MirrorObjectSet } from '../mirror/object-set.ts';
import { bossSchema, deadLetterQueue } from '../queue/queues.ts';
import { MirrorTableMissingError } from '../sync/sync-errors.ts';
import type { SyncConfig } from '../sync-config.ts';
import type { DoctorFunction } from './doctor-check.ts';
import {
  column,
  failedOn,
  failedRow,
  jobStatesHeld,
  jobStatesWaiting,
  jobUnderWay,
  opsFunction,
  opsSchema,
  parentSynced,
  parentsSynced,
  recordKey,
} from './doctor-sql.ts';
import { missingRowsSet } from './doctor-sets.ts';
import { keptMembersWhere } from './kept-set.ts';

/** The generic functions, by what they list. */
export const doctorFunctions = {
  /** FAILED rows of every object, each with the lookup it failed on and whether that parent is synced now. */
  failedRows: 'doctor_failed_rows',
  /** Records expected in Salesforce with no mirror row, and whether a job of theirs is held. */
  missingRows: 'doctor_missing_rows',
  deadLetter: 'doctor_dead_letter',
  waitingOnParent: 'doctor_waiting_on_parent',
  /** FAILED rows a delete and a new job would heal: failed on a lookup, every parent now synced. */
  repairFailedRows: 'repair_failed_rows',
  /** Records with no mirror row and no job under way. */
  repairMissingRows: 'repair_missing_rows',
  /** Records whose last job ran while syncing was off and was discarded, unwritten. */
  discarded: 'doctor_discarded',
  /** Those a new job would sync (a record with no mirror row is repair_missing_rows' instead). */
  repairDiscarded: 'repair_discarded',
} as const;

/** The objects whose findings each generic function reads: all, unless a mirror table is missing now. */
interface ReadObjects {
  /** Objects whose FAILED rows are read: their own table and every parent's are there. */
  failed: readonly AnyMirrorObject[];
  /** Objects whose records without a mirror row are read: their own table is there. */
  missing: readonly AnyMirrorObject[];
}

function failedRowsSql(objects: MirrorObjectSet, read: readonly AnyMirrorObject[]): SQL | undefined {
  const parts = read.map((object) => {
    const lookups = objects.parentLookups(object);
    // The first lookup whose parent Salesforce named in the error, in declared order.
    const matched = lookups.length
      ? sql`LEFT JOIN LATERAL (SELECT f.lookup_column, f.parent_name, f.parent_synced FROM (VALUES ${sql.join(
          lookups.map(
            (lookup, index) =>
              sql`(${index}, ${lookup.column}::text, ${lookup.parent.name}::text, ${failedOn('m', lookup)}, ${parentSynced('m', lookup, `p${index}`)})`,
          ),
          sql`, `,
        )}) AS f(position, lookup_column, parent_name, failed, parent_synced) WHERE f.failed ORDER BY f.position LIMIT 1) f ON true`
      : sql`LEFT JOIN (SELECT NULL::text AS lookup_column, NULL::text AS parent_name, NULL::boolean AS parent_synced) f ON true`;
    const key = sql`${column('m', object.externalId)}::text`;
    return sql`SELECT ${object.name}::text AS object_name, ${object.queueName}::text AS queue_name, m.id AS mirror_row_id, ${key} AS record_id,
        f.lookup_column, f.parent_name, f.parent_synced, ${parentsSynced(objects, object, 'm')} AS parents_synced,
        ${jobUnderWay(object, key, jobStatesWaiting)} AS job_waiting, m._hc_err AS error
      FROM ${object.table} m ${matched}
      WHERE ${failedRow('m')}`;
  });
  return parts.length ? sql.join(parts, sql` UNION ALL `) : undefined;
}

/** Upsert objects only (an update-only object changes rows someone else makes): their kept sets' members, checked again live. */
function missingRowsSql(read: readonly AnyMirrorObject[]): SQL | undefined {
  const parts = read
    .filter((object) => object.write === 'upsert')
    .map((object) => {
      const key = recordKey(object);
      const set = missingRowsSet(object);
      return sql`SELECT ${object.name}::text AS object_name, ${object.queueName}::text AS queue_name, ${key} AS record_id,
          ${jobUnderWay(object, key, jobStatesHeld)} AS job_held
        FROM ${set.from} WHERE ${keptMembersWhere(set)}`;
    });
  return parts.length ? sql.join(parts, sql` UNION ALL `) : undefined;
}

/** A SELECT of no rows with `columns`: a function over no object still has its columns. */
function noRowsSql(columns: Record<string, string>): SQL {
  return sql`SELECT ${sql.join(
    Object.entries(columns).map(([column, type]) => sql`NULL::${sql.raw(type)} AS ${sqlIdentifier(column)}`),
    sql`, `,
  )} WHERE false`;
}

function syncQueueNames(objects: MirrorObjectSet): SQL {
  return sql.join(
    objects.objects.map((object) => sql`${object.queueName}`),
    sql`, `,
  );
}

function deadLetterSql(): SQL {
  return sql`SELECT j.id AS job_id, j.source_name AS queue_name, j.singleton_key AS record_id,
      j.output->>'message' AS error, j.output->>'name' AS error_name, j.created_on
    FROM ${sqlIdentifier(bossSchema)}.job j WHERE j.name = ${deadLetterQueue} AND j.state IN ('created', 'retry')`;
}

/** Per record, its last job of a sync queue when that job was discarded (syncing was off): nothing newer came since. */
function discardedSql(objects: MirrorObjectSet): SQL {
  const job = sql`${sqlIdentifier(bossSchema)}.job`;
  return sql`SELECT j.id AS job_id, j.name AS queue_name, j.singleton_key AS record_id, j.completed_on
    FROM ${job} j
    WHERE j.name IN (${syncQueueNames(objects)}) AND j.state = 'completed' AND j.output ? 'discarded' AND j.singleton_key IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM ${job} k WHERE k.name = j.name AND k.singleton_key = j.singleton_key AND k.created_on > j.created_on)`;
}

/** Records whose job waits for a parent, from the worker's own record of waits. */
function waitingOnParentSql(objects: MirrorObjectSet): SQL {
  return sql`SELECT NULL::uuid AS job_id, w.queue AS queue_name, w.record_key AS record_id, w.waits, w.parent, w.parent_key,
      w.waiting_since, w.woken_at
    FROM ${syncTable('parent_wait')} w WHERE w.queue IN (${syncQueueNames(objects)}) AND w.gave_up_at IS NULL`;
}

const failedRowsColumns = {
  object_name: 'text',
  queue_name: 'text',
  mirror_row_id: 'bigint',
  record_id: 'text',
  lookup_column: 'text',
  parent_name: 'text',
  parent_synced: 'boolean',
  parents_synced: 'boolean',
  job_waiting: 'boolean',
  error: 'text',
};
const missingRowsColumns = { object_name: 'text', queue_name: 'text', record_id: 'text', job_held: 'boolean' };

/** Every function in creation order (one may read another made before it): the generic ones, then each check's. */
function functionDefinitions(config: SyncConfig): DoctorFunction[] {
  const all = config.objects.objects;
  return [...genericDefinitions(config.objects, { failed: all, missing: all }), ...config.doctorChecks.flatMap((check) => check.functions(config.objects))];
}

/** The generic functions, reading the findings of the objects `read` names. */
function genericDefinitions(objects: MirrorObjectSet, read: ReadObjects): DoctorFunction[] {
  return [
    {
      name: doctorFunctions.failedRows,
      columns: failedRowsColumns,
      select: failedRowsSql(objects, read.failed) ?? noRowsSql(failedRowsColumns),
    },
    {
      name: doctorFunctions.missingRows,
      columns: missingRowsColumns,
      select: missingRowsSql(read.missing) ?? noRowsSql(missingRowsColumns),
    },
    {
      name: doctorFunctions.deadLetter,
      columns: { job_id: 'uuid', queue_name: 'text', record_id: 'text', error: 'text', error_name: 'text', created_on: 'timestamptz' },
      select: deadLetterSql(),
    },
    {
      name: doctorFunctions.waitingOnParent,
      columns: {
        job_id: 'uuid',
        queue_name: 'text',
        record_id: 'text',
        waits: 'integer',
        parent: 'text',
        parent_key: 'text',
        waiting_since: 'timestamptz',
        woken_at: 'timestamptz',
      },
      select: waitingOnParentSql(objects),
    },
    {
      name: doctorFunctions.repairFailedRows,
      columns: { object_name: 'text', queue_name: 'text', mirror_row_id: 'bigint', record_id: 'text', job_waiting: 'boolean' },
      select: sql`SELECT object_name, queue_name, mirror_row_id, record_id, job_waiting FROM ${opsFunction(doctorFunctions.failedRows)}
        WHERE lookup_column IS NOT NULL AND parents_synced`,
    },
    {
      name: doctorFunctions.repairMissingRows,
      columns: { object_name: 'text', queue_name: 'text', record_id: 'text' },
      select: sql`SELECT object_name, queue_name, record_id FROM ${opsFunction(doctorFunctions.missingRows)} WHERE NOT job_held`,
    },
    {
      name: doctorFunctions.discarded,
      columns: { job_id: 'uuid', queue_name: 'text', record_id: 'text', completed_on: 'timestamptz' },
      select: discardedSql(objects),
    },
    {
      name: doctorFunctions.repairDiscarded,
      columns: { queue_name: 'text', record_id: 'text', job_id: 'uuid' },
      select: sql`SELECT d.queue_name, d.record_id, d.job_id FROM ${opsFunction(doctorFunctions.discarded)} d
        WHERE NOT EXISTS (SELECT 1 FROM ${opsFunction(doctorFunctions.repairMissingRows)} r WHERE r.queue_name = d.queue_name AND r.record_id = d.record_id)`,
    },
  ];
}

const dialect = new PgDialect();

/** A string constant in DDL (a function's body, a comment), which takes no parameters. */
function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** A function's SELECT with each column cast to the declared type: its body, or a subquery read in its place. */
function definitionSelect({ columns, select }: DoctorFunction): SQL {
  return sql`SELECT ${sql.join(
    Object.entries(columns).map(([column, type]) => sql`s.${sqlIdentifier(column)}::${sql.raw(type)} AS ${sqlIdentifier(column)}`),
    sql`, `,
  )} FROM (${select}) s`;
}

/**
 * One function's DDL: its SELECT, each column cast to the declared type, as the body of a STABLE
 * SQL function. PARALLEL SAFE: the planner decides whether a query may use parallel workers from
 * the functions the query names, before it inlines them, so an unmarked function (PARALLEL UNSAFE
 * by default) kept every read of the doctor on one process; once inlined, each table the body
 * reads is judged on its own expressions again.
 */
function functionSql(definition: DoctorFunction): string {
  const { name, columns } = definition;
  // Values inlined here come only from the declarations and are quoted by drizzle.
  const body = dialect.sqlToQuery(definitionSelect(definition).inlineParams()).sql;
  const returns = Object.entries(columns)
    .map(([column, type]) => `${identifierQuote(column)} ${type}`)
    .join(', ');
  return `CREATE FUNCTION ${qualifiedName(opsSchema, name)}() RETURNS TABLE (${returns}) LANGUAGE sql STABLE PARALLEL SAFE AS ${literal(body)}`;
}

/** The DDL that (re)creates every function. */
export function doctorFunctionsSql(config: SyncConfig): string {
  return functionDefinitions(config).map(functionSql).join(';\n');
}

/** What every doctor function's comment starts with: how a rebuild finds the ones to drop. */
const commentPrefix = 'connect-sync doctor';

/** A fingerprint of the definitions, kept as each function's comment to know when to rebuild. */
function definitionsVersion(text: string): string {
  return `${commentPrefix} ${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
}

/** The tables the functions read that do not exist now (none: they can be made and called). */
export async function doctorTablesMissing(database: Pick<Database, 'db'>, config: SyncConfig): Promise<string[]> {
  const own = [[bossSchema, 'job'], [opsSchema, 'parent_wait'], [opsSchema, 'kept_set_member']] as const;
  const { rows } = await database.db.execute<{ missing: boolean[] }>(
    sql`SELECT array_agg(to_regclass(t) IS NULL ORDER BY n) AS missing FROM unnest(${sql.param(own.map(([schema, name]) => qualifiedName(schema, name)))}::text[]) WITH ORDINALITY AS u(t, n)`,
  );
  const mirror = await mirrorTablesMissing(database.db, config.objects.objects);
  const missing = own.filter((_, index) => rows[0]?.missing[index] === true).map(([schema, name]) => `${schema}.${name}`);
  return [...mirror.map(mirrorTableName), ...missing];
}

/**
 * What the doctor reads while some mirror tables are missing (Connect reloading a mapping): the
 * generic functions' SELECTs, to read in their place, over the objects whose findings read none of
 * the `missing` objects' tables; and, for each other object, the missing tables its findings read.
 * The functions themselves would fail as a whole, and cannot be rebuilt until the tables are back.
 */
export function doctorSelectsWithout(
  objects: MirrorObjectSet,
  missing: readonly AnyMirrorObject[],
): { selects: Map<string, SQL>; unread: Map<AnyMirrorObject, { tables: string[]; ownTable: boolean }> } {
  const gone = new Set(missing);
  const unread = new Map<AnyMirrorObject, { tables: string[]; ownTable: boolean }>();
  for (const object of objects.objects) {
    const tables = [object, ...objects.parentLookups(object).map((lookup) => lookup.parent)].filter((read) => gone.has(read));
    if (tables.length > 0) unread.set(object, { tables: [...new Set(tables)].map(mirrorTableName), ownTable: gone.has(object) });
  }
  const read = {
    failed: objects.objects.filter((object) => !unread.has(object)),
    missing: objects.objects.filter((object) => !gone.has(object)),
  };
  const selects = new Map(genericDefinitions(objects, read).map((definition) => [definition.name, definitionSelect(definition)]));
  return { selects, unread };
}

/**
 * Throws one line naming a mirror table the doctor reads that is missing now (Connect drops and
 * makes one again on a mapping reload), instead of Postgres's error from the middle of a query.
 */
export async function doctorMirrorPresent(database: Pick<Database, 'db'>, config: SyncConfig): Promise<void> {
  const missing = await mirrorTablesMissing(database.db, config.objects.objects);
  if (missing.length === 0) return;
  const names = missing.map(mirrorTableName).join(', ');
  throw new MirrorTableMissingError(
    `The mirror table${missing.length > 1 ? 's' : ''} ${names} ${missing.length > 1 ? 'do' : 'does'} not exist now (Heroku Connect drops and makes one again when a mapping is reloaded): try again once ${missing.length > 1 ? 'they are' : 'it is'} back`,
  );
}

/**
 * Creates the functions, or rebuilds them when the declarations changed since they were made
 * (any doctor function of ours no longer declared is dropped), and drops the views an earlier
 * version made in their place, which held the mirror tables. Needs the mirror tables (Connect's in
 * production; `migrate --mirror` elsewhere) and pg-boss's schema, since each body is checked
 * against them as it is made.
 */
export async function doctorFunctionsEnsure(database: Pick<Database, 'db' | 'pool'>, config: SyncConfig): Promise<'created' | 'current'> {
  const text = doctorFunctionsSql(config);
  const version = definitionsVersion(text);
  const { rows } = await database.pool.query<{ comment: string | null; views: number }>(
    `SELECT obj_description(to_regprocedure($1), 'pg_proc') AS comment,
            (SELECT count(*)::int FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $2 AND c.relkind = 'v') AS views`,
    [`${qualifiedName(opsSchema, doctorFunctions.failedRows)}()`, opsSchema],
  );
  if (rows[0]?.comment === version && rows[0].views === 0) return 'current';
  const missing = await doctorTablesMissing(database, config);
  if (missing.length > 0) {
    throw new Error(
      `The doctor's functions need ${missing.join(', ')}: Heroku Connect creates the mirror tables once its mappings exist (outside production: connect-sync migrate --mirror); connect-sync migrate creates the rest.`,
    );
  }
  await poolTransaction(database.pool, async (client) => {
    // Two processes starting at once must not both rebuild.
    await client.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [opsSchema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${identifierQuote(opsSchema)}`);
    // An earlier version's views: they would keep Connect from dropping a mirror table.
    const { rows: views } = await client.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'v'`,
      [opsSchema],
    );
    for (const { name } of views) await client.query(`DROP VIEW IF EXISTS ${qualifiedName(opsSchema, name)} CASCADE`);
    const { rows: functions } = await client.query<{ signature: string }>(
      `SELECT p.oid::regprocedure::text AS signature FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = $1 AND obj_description(p.oid, 'pg_proc') LIKE $2`,
      [opsSchema, `${commentPrefix} %`],
    );
    for (const { signature } of functions) await client.query(`DROP FUNCTION IF EXISTS ${signature}`);
    await client.query(text);
    for (const { name } of functionDefinitions(config)) {
      await client.query(`COMMENT ON FUNCTION ${qualifiedName(opsSchema, name)}() IS ${literal(version)}`);
    }
  });
  return 'created';
}
