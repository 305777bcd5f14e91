/**
 * The sync mechanism, generic over mirror objects: given a batch of jobs for one object, decide
 * each job's outcome and write every row that may be written, in one statement. It knows nothing
 * of pg-boss; the queue worker and the inline runner both call it.
 *
 * Every job is judged alone: a job whose values the database refuses (SQLSTATE class 22 or 23)
 * is found by splitting its batch in halves until it stands alone, and comes back `rejected`
 * while the rest of the batch is written as usual. Infrastructure errors (a lost connection, a
 * cancelled statement) still throw, so the whole batch is retried.
 */
import type { Drizzle } from '../db/database.ts';
import type { AnyMirrorObject, MirrorObjectSet } from '../mirror/object-set.ts';
import { mirrorRowsBuild, type MirrorRow } from './mirror-rows.ts';
import { mirrorRowsWrite } from './mirror-write.ts';
import { mirrorTableName } from '../mirror/mirror-table-name.ts';
import { mirrorTablesMissing, undefinedTableState } from '../mirror/mirror-tables-missing.ts';
import { parentStateSelection, parentsMissing, requirementsOf, type Requirement } from './parents-ready.ts';
import { MirrorTableMissingError, ParentNotSyncedError, PayloadInvalidError, RecordNotFoundError, RowRefusedError } from './sync-errors.ts';
import { isConflictError, isDataError, sqlMessage, sqlState } from './statement-errors.ts';
import { payloadParse } from './payload-parse.ts';

/** A job as the mechanism needs it: an id to report on, and its raw payload. */
export interface SyncJob {
  id: string;
  data: unknown;
}

/**
 * The output a job run while syncing was off keeps (`{ "discarded": … }`); the doctor counts
 * these, and repair enqueues their records again.
 */
export const syncOffReason = 'syncing was off (SALESFORCE_ENABLED=false)';

/** What became of one job. */
export type SyncOutcome =
  | { status: 'written'; recordId: string }
  | { status: 'skipped'; recordId: string; reason: string }
  | { status: 'discarded'; reason: string }
  | { status: 'waiting'; recordId: string; error: ParentNotSyncedError }
  | { status: 'rejected'; recordId?: string; error: PayloadInvalidError | RecordNotFoundError | RowRefusedError };

export interface SyncBatchOptions {
  /** Syncing on; when false every job is discarded and nothing is written. */
  enabled: boolean;
  /**
   * Check parents before writing (default). Off only to show, as the demo does, what Heroku
   * Connect does with a child written before its parent.
   */
  parentGuard?: boolean;
}

/**
 * Syncs `jobs` of `object`, one of `objects`; returns each job's outcome by job id. A job the
 * database refuses is `rejected` alone; an error that is not about one job's data throws.
 */
export async function syncBatch(
  db: Drizzle,
  objects: MirrorObjectSet,
  object: AnyMirrorObject,
  jobs: readonly SyncJob[],
  options: SyncBatchOptions,
): Promise<Map<string, SyncOutcome>> {
  const outcomes = new Map<string, SyncOutcome>();
  if (!options.enabled) {
    for (const job of jobs) outcomes.set(job.id, { status: 'discarded', reason: syncOffReason });
    return outcomes;
  }
  const parsed: ParsedJob[] = [];
  for (const job of jobs) {
    const result = payloadParse(object, job.data);
    if (result instanceof PayloadInvalidError) outcomes.set(job.id, { status: 'rejected', error: result });
    else parsed.push({ job, payload: result, recordId: object.recordId(result) });
  }
  for (const [id, outcome] of await parsedJobsSync(db, objects, object, parsed, options)) outcomes.set(id, outcome);
  return outcomes;
}

/** A job whose payload passed the check. */
interface ParsedJob {
  job: SyncJob;
  payload: object;
  recordId: string;
}

/** How often a batch that lost a deadlock runs again at once before it fails like any other. */
const conflictReruns = 3;

/** Syncs jobs together; when the database refuses their data, runs each half apart, down to one job. */
async function parsedJobsSync(
  db: Drizzle,
  objects: MirrorObjectSet,
  object: AnyMirrorObject,
  parsed: readonly ParsedJob[],
  options: SyncBatchOptions,
  conflicts = 0,
): Promise<Map<string, SyncOutcome>> {
  try {
    return await syncBatchOnce(db, objects, object, parsed, options);
  } catch (error) {
    // The write is one statement: a deadlock rolled it back whole, so running it again now writes
    // each row once and spends none of the jobs' retries.
    if (isConflictError(error) && conflicts < conflictReruns) return await parsedJobsSync(db, objects, object, parsed, options, conflicts + 1);
    if (!isDataError(error)) throw error;
    if (parsed.length === 1) return new Map([[parsed[0]!.job.id, rowRefused(object, parsed[0]!, error)]]);
    // Each batch's write is one statement, so nothing of the failed attempt was written: run halves.
    const half = Math.ceil(parsed.length / 2);
    const first = await parsedJobsSync(db, objects, object, parsed.slice(0, half), options);
    const second = await parsedJobsSync(db, objects, object, parsed.slice(half), options);
    return new Map([...first, ...second]);
  }
}

function rowRefused(object: AnyMirrorObject, { recordId }: ParsedJob, error: unknown): SyncOutcome {
  const code = sqlState(error) ?? 'unknown';
  const message = `${object.record} ${recordId} cannot be written to ${object.name}: the database refused it (SQLSTATE ${code}: ${sqlMessage(error)})`;
  return { status: 'rejected', recordId, error: new RowRefusedError(message, code, { cause: error }) };
}

/**
 * One attempt at the batch. A statement naming a mirror table that does not exist (Connect drops
 * and recreates a mapping's table on a reload) fails the batch's read or write; then the tables
 * are looked up once. A parent's missing table only makes its children wait (no execution
 * spent), and the batch runs again without reading it; the object's own missing table is a real
 * error, thrown as one line naming the table. `db` is not inside a transaction (a failed
 * statement would abort it): the worker passes its pool.
 */
async function syncBatchOnce(
  db: Drizzle,
  objects: MirrorObjectSet,
  object: AnyMirrorObject,
  parsed: readonly ParsedJob[],
  options: SyncBatchOptions,
): Promise<Map<string, SyncOutcome>> {
  const requirements = options.parentGuard === false ? [] : requirementsOf(objects, object);
  try {
    return await syncBatchRun(db, object, parsed, requirements, new Set());
  } catch (error) {
    if (sqlState(error) !== undefinedTableState) throw error;
    const missing = await mirrorTablesMissing(db, [object, ...requirements.map((requirement) => requirement.object)]);
    if (missing.includes(object)) {
      throw new MirrorTableMissingError(
        `The mirror table ${mirrorTableName(object)} does not exist, so no ${object.name} row can be written (Heroku Connect makes it; until it is back, the jobs retry)`,
        { cause: error },
      );
    }
    if (missing.length === 0) throw error;
    return await syncBatchRun(db, object, parsed, requirements, new Set(missing));
  }
}

async function syncBatchRun(
  db: Drizzle,
  object: AnyMirrorObject,
  parsed: readonly ParsedJob[],
  requirements: readonly Requirement[],
  tablesMissing: ReadonlySet<AnyMirrorObject>,
): Promise<Map<string, SyncOutcome>> {
  const outcomes = new Map<string, SyncOutcome>();
  // The guard's parent states come with the records, in the batch's one read.
  const selection = parentStateSelection(object, requirements, tablesMissing);
  const sources = await mirrorRowsBuild(db, object, parsed.map(({ payload }) => payload), selection);
  const rows = new Map<string, MirrorRow>();
  const known = new Map<string, Record<string, unknown>>();
  for (const { job, recordId } of parsed) {
    const source = sources.get(recordId);
    if (!source) {
      const error = new RecordNotFoundError(`${object.record} ${recordId} does not exist, so there is nothing to sync to ${object.name}`);
      outcomes.set(job.id, { status: 'rejected', recordId, error });
    } else if ('skipped' in source) {
      outcomes.set(job.id, { status: 'skipped', recordId, reason: source.skipped });
    } else {
      rows.set(recordId, source.row);
      known.set(recordId, source.extras);
    }
  }
  const missing = await parentsMissing(db, requirements, rows, known, tablesMissing);
  for (const [recordId, error] of missing) rows.delete(recordId);
  await mirrorRowsWrite(db, object, [...rows.values()]);
  for (const { job, recordId } of parsed) {
    if (outcomes.has(job.id)) continue;
    const error = missing.get(recordId);
    outcomes.set(job.id, error ? { status: 'waiting', recordId, error } : { status: 'written', recordId });
  }
  return outcomes;
}
