/**
 * The doctor's SQL views in schema `connect_sync`, one definition read by `doctor`, `repair`, the
 * reconciler and anyone with psql. Every table, column, external id, lookup and Salesforce error
 * text in them is derived from the declarations; nothing is spelled twice. For every declared
 * object: FAILED rows and the lookup each failed on, records with no mirror row, dead letters and
 * jobs waiting on a parent; the repair views list what `repair` acts on. A preset's checks add
 * views of their own beside them.
 */
import { createHash } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import pg from 'pg';
import type { Database } from '../db/database.ts';
import { poolTransaction } from '../db/pool-transaction.ts';
import { salesforceSchema } from '../mirror/connect-table.ts';
import type { AnyMirrorObject, MirrorObjectSet } from '../mirror/object-set.ts';
import { bossSchema, deadLetterQueue } from '../queue/queues.ts';
import type { SyncConfig } from '../sync-config.ts';
import {
  column,
  failedOn,
  failedRow,
  jobStatesHeld,
  jobStatesWaiting,
  jobUnderWay,
  notSkipped,
  opsSchema,
  opsView,
  parentSynced,
  parentsSynced,
  recordKey,
  rowExpected,
} from './doctor-sql.ts';

/** The generic views, by what they list. */
export const doctorViews = {
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

function failedRowsSql(objects: MirrorObjectSet): SQL {
  const parts = objects.objects.map((object) => {
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
  return sql.join(parts, sql` UNION ALL `);
}

/** Upsert objects only: an update-only object changes rows someone else makes. */
function missingRowsSql(objects: MirrorObjectSet): SQL {
  const parts = objects.objects
    .filter((object) => object.write === 'upsert')
    .map((object) => {
      const key = recordKey(object);
      let source = sql`FROM ${object.source.table}`;
      for (const join of object.source.joins ?? []) source = sql`${source} JOIN ${join.table} ON ${join.on}`;
      return sql`SELECT ${object.name}::text AS object_name, ${object.queueName}::text AS queue_name, ${key} AS record_id,
          ${jobUnderWay(object, key, jobStatesHeld)} AS job_held
        ${source}
        WHERE ${notSkipped(object)} AND ${rowExpected(object)}
          AND NOT EXISTS (SELECT 1 FROM ${object.table} m WHERE ${column('m', object.externalId)} = ${key})`;
    });
  return parts.length ? sql.join(parts, sql` UNION ALL `) : sql`SELECT NULL::text AS object_name, NULL::text AS queue_name, NULL::text AS record_id, false AS job_held WHERE false`;
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
    FROM ${sql.identifier(bossSchema)}.job j WHERE j.name = ${deadLetterQueue} AND j.state IN ('created', 'retry')`;
}

/** Per record, its last job of a sync queue when that job was discarded (syncing was off): nothing newer came since. */
function discardedSql(objects: MirrorObjectSet): SQL {
  const job = sql`${sql.identifier(bossSchema)}.job`;
  return sql`SELECT j.id AS job_id, j.name AS queue_name, j.singleton_key AS record_id, j.completed_on
    FROM ${job} j
    WHERE j.name IN (${syncQueueNames(objects)}) AND j.state = 'completed' AND j.output ? 'discarded' AND j.singleton_key IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM ${job} k WHERE k.name = j.name AND k.singleton_key = j.singleton_key AND k.created_on > j.created_on)`;
}

/** Records whose job waits for a parent, from the worker's own record of waits. */
function waitingOnParentSql(objects: MirrorObjectSet): SQL {
  return sql`SELECT NULL::uuid AS job_id, w.queue AS queue_name, w.record_key AS record_id, w.waits, w.parent, w.parent_key,
      w.waiting_since, w.woken_at
    FROM connect_sync.parent_wait w WHERE w.queue IN (${syncQueueNames(objects)}) AND w.gave_up_at IS NULL`;
}

/** Every view, name → SELECT, in creation order: the generic ones, then each check's. */
function viewDefinitions(config: SyncConfig): [string, SQL][] {
  const { objects } = config;
  return [
    [doctorViews.failedRows, failedRowsSql(objects)],
    [doctorViews.missingRows, missingRowsSql(objects)],
    [doctorViews.deadLetter, deadLetterSql()],
    [doctorViews.waitingOnParent, waitingOnParentSql(objects)],
    [
      doctorViews.repairFailedRows,
      sql`SELECT object_name, queue_name, mirror_row_id, record_id, job_waiting FROM ${opsView(doctorViews.failedRows)}
        WHERE lookup_column IS NOT NULL AND parents_synced`,
    ],
    [doctorViews.repairMissingRows, sql`SELECT object_name, queue_name, record_id FROM ${opsView(doctorViews.missingRows)} WHERE NOT job_held`],
    [doctorViews.discarded, discardedSql(objects)],
    [
      doctorViews.repairDiscarded,
      sql`SELECT d.queue_name, d.record_id, d.job_id FROM ${opsView(doctorViews.discarded)} d
        WHERE NOT EXISTS (SELECT 1 FROM ${opsView(doctorViews.repairMissingRows)} r WHERE r.queue_name = d.queue_name AND r.record_id = d.record_id)`,
    ],
    ...config.doctorChecks.flatMap((check) => check.views(objects)),
  ];
}

const dialect = new PgDialect();

/** The DDL that (re)creates every view; values are inlined, since a view cannot take parameters. */
export function doctorViewsSql(config: SyncConfig): string {
  // Values inlined here come only from the declarations and are quoted by drizzle.
  return viewDefinitions(config)
    .map(([name, select]) => dialect.sqlToQuery(sql`CREATE VIEW ${opsView(name)} AS ${select}`.inlineParams()).sql)
    .join(';\n');
}

/** A fingerprint of the definitions, kept as a view's comment to know when to rebuild. */
function definitionsVersion(text: string): string {
  return `connect-sync doctor views ${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
}

/** The mirror tables and pg-boss table the views read, qualified. */
function tablesRead(objects: MirrorObjectSet): string[] {
  return [
    ...objects.objects.map((object: AnyMirrorObject) => `${salesforceSchema.schemaName}.${object.tableName}`),
    `${bossSchema}.job`,
    `${opsSchema}.parent_wait`,
  ];
}

/** The tables the views read that do not exist yet (none: the views can be made). */
export async function doctorViewsReadable(database: Pick<Database, 'pool'>, config: SyncConfig): Promise<string[]> {
  const { rows } = await database.pool.query<{ missing: string[] | null }>(
    `SELECT array_agg(t) FILTER (WHERE to_regclass(t) IS NULL) AS missing FROM unnest($1::text[]) t`,
    [tablesRead(config.objects)],
  );
  return rows[0]?.missing ?? [];
}

/**
 * Creates the views, or rebuilds them when the declarations changed since they were made (any
 * view of ours that is no longer declared is dropped). Needs the mirror tables (Connect's in
 * production; `migrate --mirror` elsewhere) and pg-boss's schema.
 */
export async function doctorViewsEnsure(database: Pick<Database, 'pool'>, config: SyncConfig): Promise<'created' | 'current'> {
  const text = doctorViewsSql(config);
  const version = definitionsVersion(text);
  const { rows } = await database.pool.query<{ comment: string | null }>(`SELECT obj_description(to_regclass($1), 'pg_class') AS comment`, [
    `${opsSchema}.${doctorViews.failedRows}`,
  ]);
  if (rows[0]?.comment === version) return 'current';
  const missing = await doctorViewsReadable(database, config);
  if (missing.length > 0) {
    throw new Error(
      `The doctor's views need ${missing.join(', ')}: Heroku Connect creates the mirror tables once its mappings exist (outside production: connect-sync migrate --mirror); connect-sync migrate creates the rest.`,
    );
  }
  await poolTransaction(database.pool, async (client) => {
    // Two processes starting at once must not both rebuild.
    await client.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [opsSchema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${opsSchema}`);
    const { rows: existing } = await client.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'v'`,
      [opsSchema],
    );
    for (const { name } of existing) await client.query(`DROP VIEW IF EXISTS ${opsSchema}.${pg.escapeIdentifier(name)} CASCADE`);
    await client.query(text);
    await client.query(`COMMENT ON VIEW ${opsSchema}.${doctorViews.failedRows} IS '${version}'`);
  });
  return 'created';
}
