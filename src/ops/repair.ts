/**
 * `connect-sync repair`: heals what Heroku Connect will never retry. A FAILED row that failed on
 * a lookup whose parents are now in Salesforce is deleted and its record's job enqueued again; a
 * record with no mirror row and no job under way gets its job. Dry run by default; `--apply`
 * does each item in its own transaction. Upstream failures (a Contact that never came) are
 * reported, never touched. A second run finds nothing to do.
 */
import { sql } from 'drizzle-orm';
import { sqlIdentifier } from '../db/sql-names.ts';
import type { CommandContext } from '../command-context.ts';
import { syncEnabled } from '../config.ts';
import type { Database, Drizzle } from '../db/database.ts';
import { SyncDisabledError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { MirrorObjectUnknownError, type AnyMirrorObject, type MirrorObjectSet } from '../mirror/object-set.ts';
import { syncEnqueuer } from '../queue/enqueue.ts';
import { bossSchema } from '../queue/queues.ts';
import type { SyncConfig } from '../sync-config.ts';
import type { DoctorClass } from './doctor-report.ts';
import { doctorRead } from './doctor-read.ts';
import { doctorSetsCount } from './doctor-sets.ts';
import { doctorFunctions, doctorFunctionsEnsure, doctorMirrorPresent } from './doctor-functions.ts';
import { jobStatesWaiting, opsFunction } from './doctor-sql.ts';
import { controlEscaped, operatorPrint } from './operator-text.ts';

/** One thing repair does. */
export type RepairItem =
  | {
      /** Delete a FAILED mirror row (its parents are now synced) and enqueue its record's job again. */
      action: 'failedRowReplace';
      object: AnyMirrorObject;
      mirrorRowId: number;
      recordId: string;
      /** A job for the record is already waiting: the row is deleted, no job is added. */
      jobWaiting: boolean;
    }
  | {
      /** Enqueue the job of a record that has no mirror row and no job under way. */
      action: 'jobEnqueue';
      object: AnyMirrorObject;
      recordId: string;
    }
  | {
      /** Enqueue again a record whose last job was discarded while syncing was off. */
      action: 'discardedReplay';
      object: AnyMirrorObject;
      recordId: string;
      /** The discarded job: the item is done once a newer job of the record exists. */
      jobId: string;
    };

/** What repair would do, and what it leaves to someone upstream. */
export interface RepairPlan {
  items: RepairItem[];
  /** FAILED rows whose parent is still not in Salesforce (`<object>/<record id>`): upstream, left alone. */
  upstream: DoctorClass;
}

/** What `repairApply` did. */
export interface RepairResult {
  /** FAILED rows deleted. */
  rowsDeleted: number;
  /** Jobs enqueued. */
  jobsEnqueued: number;
  /** Items that had changed since they were planned (someone else healed them), left alone. */
  itemsSkipped: number;
}

/**
 * Reads the repair functions into a plan. A mirror table missing now (Connect reloading a
 * mapping) is said in one line, as a MirrorTableMissingError, and nothing is planned.
 */
export async function repairPlan(database: Pick<Database, 'db' | 'pool'>, config: SyncConfig, options: { whole?: boolean } = {}): Promise<RepairPlan> {
  await doctorMirrorPresent(database, config);
  await doctorFunctionsEnsure(database, config);
  return doctorRead(database, async (reader) => {
    await doctorSetsCount(reader.db, config, { whole: options.whole === true });
    return repairPlanRead(reader, config);
  });
}

async function repairPlanRead(database: { db: Pick<Drizzle, 'execute'> }, config: SyncConfig): Promise<RepairPlan> {
  const { rows: failed } = await database.db.execute<{ queue_name: string; mirror_row_id: number; record_id: string; job_waiting: boolean }>(
    sql`SELECT queue_name, mirror_row_id, record_id, job_waiting FROM ${opsFunction(doctorFunctions.repairFailedRows)} ORDER BY queue_name, mirror_row_id`,
  );
  const { rows: missing } = await database.db.execute<{ queue_name: string; record_id: string }>(
    sql`SELECT queue_name, record_id FROM ${opsFunction(doctorFunctions.repairMissingRows)} ORDER BY queue_name, record_id`,
  );
  // Discarded jobs are rare (syncing was off); only then is repair_discarded read, which sets them
  // against every record with no mirror row: a second pass over the whole mirror otherwise.
  const { rows: anyDiscarded } = await database.db.execute<{ found: boolean }>(sql`SELECT EXISTS (SELECT 1 FROM ${opsFunction(doctorFunctions.discarded)}) AS found`);
  const { rows: discarded } = anyDiscarded[0]?.found
    ? await database.db.execute<{ queue_name: string; record_id: string; job_id: string }>(
        sql`SELECT queue_name, record_id, job_id FROM ${opsFunction(doctorFunctions.repairDiscarded)} ORDER BY queue_name, record_id`,
      )
    : { rows: [] };
  const { rows: upstream } = await database.db.execute<{ count: number; examples: string[] | null }>(
    sql`SELECT count(*)::int AS count, (array_agg(object_name || '/' || record_id ORDER BY object_name, record_id))[1:5] AS examples
        FROM ${opsFunction(doctorFunctions.failedRows)} WHERE lookup_column IS NOT NULL AND NOT parent_synced`,
  );
  const objectForQueue = (queue: string) => objectOfQueue(config.objects, queue);
  const items: RepairItem[] = [
    ...failed.map((row): RepairItem => ({
      action: 'failedRowReplace',
      object: objectForQueue(row.queue_name),
      mirrorRowId: Number(row.mirror_row_id),
      recordId: row.record_id,
      jobWaiting: row.job_waiting,
    })),
    ...missing.map((row): RepairItem => ({ action: 'jobEnqueue', object: objectForQueue(row.queue_name), recordId: row.record_id })),
    ...discarded.map((row): RepairItem => ({ action: 'discardedReplay', object: objectForQueue(row.queue_name), recordId: row.record_id, jobId: row.job_id })),
  ];
  return { items, upstream: { count: upstream[0]?.count ?? 0, examples: upstream[0]?.examples ?? [] } };
}

function objectOfQueue(objects: MirrorObjectSet, queue: string): AnyMirrorObject {
  const object = objects.forQueue(queue);
  if (!object) throw new MirrorObjectUnknownError(`The repair function names ${queue}, which is not a declared sync queue`);
  return object;
}

/** One line per item, as the dry run prints it. */
export function repairItemText(item: RepairItem): string {
  const recordId = controlEscaped(item.recordId);
  if (item.action === 'failedRowReplace') {
    const job = item.jobWaiting ? 'its job already waiting' : `enqueue ${item.object.queueName} ${recordId}`;
    return `delete FAILED ${item.object.name} row ${item.mirrorRowId} (${item.object.record} ${recordId}), ${job}`;
  }
  if (item.action === 'discardedReplay') return `enqueue ${item.object.queueName} ${recordId} (its last job was discarded while syncing was off)`;
  return `enqueue ${item.object.queueName} ${recordId} (${item.object.record} has no ${item.object.name} row)`;
}

/**
 * Does every item of `plan`, each in its own transaction that re-checks it under a lock on its
 * record, so two repairs (a person and the reconciler) never enqueue a record twice. Jobs are
 * written on those transactions: no pg-boss, no connection beyond `database`.
 */
export async function repairApply(
  database: Pick<Database, 'db'>,
  objects: MirrorObjectSet,
  plan: RepairPlan,
  options: { enabled: boolean; log: Logger },
): Promise<RepairResult> {
  if (!options.enabled) {
    throw new SyncDisabledError('Syncing is off (SALESFORCE_ENABLED=false): repaired records would never be synced, so nothing was changed.');
  }
  const sync = syncEnqueuer(objects, { enabled: true });
  const result: RepairResult = { rowsDeleted: 0, jobsEnqueued: 0, itemsSkipped: 0 };
  for (const item of plan.items) {
    const done = await database.db.transaction(async (tx) => {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`${item.object.queueName}/${item.recordId}`}))`);
      let deleted = false;
      if (item.action === 'failedRowReplace') {
        deleted = await failedRowDelete(tx, item.object, item.mirrorRowId);
        if (!deleted) return undefined;
      } else if (item.action === 'discardedReplay') {
        if (await newerJobExists(tx, item.object, item.jobId)) return undefined;
      } else if (await mirrorRowExists(tx, item.object, item.recordId)) {
        return undefined;
      }
      const states: readonly string[] = item.action === 'failedRowReplace' ? jobStatesWaiting : [...jobStatesWaiting, 'failed'];
      if (await jobHeld(tx, item.object, item.recordId, states)) return { deleted, enqueued: false };
      await sync.enqueue(item.object, item.object.payloadFor(item.recordId, { create: item.action === 'jobEnqueue' }), { tx });
      return { deleted, enqueued: true };
    });
    if (!done) {
      result.itemsSkipped += 1;
      continue;
    }
    if (done.deleted) result.rowsDeleted += 1;
    if (done.enqueued) result.jobsEnqueued += 1;
    options.log.info({ queue: item.object.queueName, recordId: item.recordId, enqueued: done.enqueued }, `repaired: ${repairItemText(item)}`);
  }
  return result;
}

async function failedRowDelete(tx: Drizzle, object: AnyMirrorObject, mirrorRowId: number): Promise<boolean> {
  const { rowCount } = await tx.execute(sql`DELETE FROM ${object.table} WHERE id = ${mirrorRowId} AND _hc_lastop = 'FAILED' AND sfid IS NULL`);
  return (rowCount ?? 0) > 0;
}

async function mirrorRowExists(tx: Drizzle, object: AnyMirrorObject, recordId: string): Promise<boolean> {
  const { rows } = await tx.execute(sql`SELECT 1 FROM ${object.table} WHERE ${sqlIdentifier(object.externalId)} = ${recordId} LIMIT 1`);
  return rows.length > 0;
}

/** A job of the record newer than `jobId` exists, or `jobId` is gone (removed after its retention). */
async function newerJobExists(tx: Drizzle, object: AnyMirrorObject, jobId: string): Promise<boolean> {
  const job = sql`${sqlIdentifier(bossSchema)}.job`;
  const { rows } = await tx.execute<{ current: boolean }>(
    sql`SELECT NOT EXISTS (SELECT 1 FROM ${job} k WHERE k.name = j.name AND k.singleton_key = j.singleton_key AND k.created_on > j.created_on) AS current
        FROM ${job} j WHERE j.name = ${object.queueName} AND j.id = ${jobId}`,
  );
  return rows[0]?.current !== true;
}

async function jobHeld(tx: Drizzle, object: AnyMirrorObject, recordId: string, states: readonly string[]): Promise<boolean> {
  const { rows } = await tx.execute(
    sql`SELECT 1 FROM ${sqlIdentifier(bossSchema)}.job WHERE name = ${object.queueName} AND singleton_key = ${recordId}
        AND state::text = ANY(${sql.param(states)}::text[]) LIMIT 1`,
  );
  return rows.length > 0;
}

/** A plan for a terminal: each item, then what is left upstream. */
export function repairPlanText(plan: RepairPlan, applied?: RepairResult): string {
  const lines = plan.items.length === 0 ? ['Nothing to repair.'] : plan.items.map((item) => `  ${repairItemText(item)}`);
  if (plan.items.length > 0) lines.unshift(applied ? `Repaired ${plan.items.length} item(s):` : `Would repair ${plan.items.length} item(s) (dry run; --apply to do it):`);
  if (applied) {
    lines.push(`${applied.rowsDeleted} FAILED row(s) deleted, ${applied.jobsEnqueued} job(s) enqueued, ${applied.itemsSkipped} item(s) changed meanwhile and left alone.`);
  }
  if (plan.upstream.count > 0) {
    lines.push(`Not touched: ${plan.upstream.count} FAILED row(s) whose parent is still not in Salesforce, e.g. ${plan.upstream.examples.map(controlEscaped).join(', ')}`);
  }
  return lines.join('\n');
}

/** The `repair` command: prints the plan; with `--apply`, does it. */
export async function repairCommand({ database, config, log, settings }: CommandContext, options: { apply?: boolean; whole?: boolean }): Promise<void> {
  const plan = await repairPlan(database, config, { whole: options.whole === true });
  if (!options.apply || plan.items.length === 0) {
    operatorPrint(repairPlanText(plan));
    return;
  }
  const result = await repairApply(database, config.objects, plan, { enabled: syncEnabled(settings), log });
  operatorPrint(repairPlanText(plan, result));
}
