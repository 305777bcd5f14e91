/**
 * `connect_sync.wait_successor`: the successor jobs the worker enqueues for records waiting on a
 * parent, by job id, since pg-boss's job row cannot tell them from the app's own jobs. A record
 * that waited more than once (two changes while its parent was on its way, or a batch retried
 * after its successors were committed) has several successors queued; the first to run once the
 * parent is in Salesforce writes the record, and the others would stay queued until their backoff
 * ran out (hours, late in a wait) only to find nothing new. The batch that writes a record settles
 * them instead, in one statement: each completes with `{ superseded, writtenBy }`.
 *
 * Settling a successor is safe only when the writer saw every change the successor could carry:
 * - A successor carries the change of the job that began its chain and nothing newer, and it is
 *   enqueued after that job ran, so after that change was committed. The writing batch read its
 *   records after its jobs were fetched; a successor enqueued before that fetch (`created_on`
 *   earlier than the batch's `started_on`) carries nothing the writer did not read.
 * - A job enqueued for an identical job that is due is coalesced into it (job-record-key.ts), so
 *   a successor that has ever been due may carry a later change: only successors still due in the
 *   future are settled. Their `start_after` only ever moves earlier (the waker brings jobs
 *   forward), so one due later now was never due; one locked by a fetch, a wake or a sender's
 *   coalescing is skipped, not waited for.
 * - The app's own jobs have no row here, so a job enqueued for a change the writer did not read is
 *   never settled: it runs and writes that change.
 * The completion writes the columns pg-boss's `complete` writes (`bossCompletionSet`, boss-contract.ts).
 */
import { sql } from 'drizzle-orm';
import type { Drizzle } from '../db/database.ts';
import { sqlIdentifier, syncTable } from '../db/sql-names.ts';
import { bossCompletionSet } from './boss-contract.ts';
import { bossSchema } from './queues.ts';

const successorTable = syncTable('wait_successor');
const jobTable = sql`${sqlIdentifier(bossSchema)}.job`;

/** A job and the record it is for. */
export interface RecordJob {
  recordKey: string;
  jobId: string;
}

/** What one batch changes of its queue's successors. */
export interface WaitSuccessorsChange {
  /** Successors the batch enqueued. */
  enqueued: readonly RecordJob[];
  /** The batch's jobs that may be successors (due later than they were created): they have run. */
  ran: readonly string[];
  /** Records the batch wrote, each with the job that wrote it. */
  written: readonly RecordJob[];
  /** When the batch's jobs were fetched (the earliest `started_on`): its reads came after. */
  fetchedAt: Date;
}

/** The output a settled successor keeps. */
export const supersededReason = 'its record was written by a job that read it after this one was enqueued';

/**
 * Records the batch's new successors, forgets the ones that ran, and completes the successors of
 * the records it wrote that carry nothing it did not read; one statement. Returns how many it
 * settled. Run it in the transaction that enqueues the successors, when there are any.
 */
export async function waitSuccessorsSettle(db: Pick<Drizzle, 'execute'>, queue: string, change: WaitSuccessorsChange): Promise<number> {
  const { enqueued, ran, written, fetchedAt } = change;
  if (enqueued.length === 0 && ran.length === 0 && written.length === 0) return 0;
  const { rows } = await db.execute<{ settled: number }>(sql`
    WITH ran AS (
      DELETE FROM ${successorTable} WHERE job_id = ANY(${sql.param(ran)}::uuid[])
    ), enqueued AS (
      INSERT INTO ${successorTable} (job_id, queue, record_key)
      SELECT e.job_id, ${queue}, e.record_key FROM unnest(${sql.param(enqueued.map((entry) => entry.jobId))}::uuid[], ${sql.param(enqueued.map((entry) => entry.recordKey))}::text[]) AS e (job_id, record_key)
    ), written AS (
      SELECT * FROM unnest(${sql.param(written.map((entry) => entry.recordKey))}::text[], ${sql.param(written.map((entry) => entry.jobId))}::uuid[]) AS w (record_key, job_id)
    ), superseded AS (
      SELECT j.id, w.job_id AS written_by
        FROM written w
        JOIN ${successorTable} s ON s.queue = ${queue} AND s.record_key = w.record_key
        JOIN ${jobTable} j ON j.id = s.job_id AND j.name = ${queue}
       WHERE j.state = 'created' AND j.created_on < ${fetchedAt.toISOString()}::timestamptz AND j.start_after > clock_timestamp()
         FOR UPDATE OF j SKIP LOCKED
    ), completed AS (
      UPDATE ${jobTable} j
         SET ${bossCompletionSet(sql`jsonb_build_object('superseded', ${supersededReason}::text, 'writtenBy', s.written_by)`)}
        FROM superseded s
       WHERE j.name = ${queue} AND j.id = s.id
      RETURNING j.id
    ), forgotten AS (
      DELETE FROM ${successorTable} t USING completed c WHERE t.job_id = c.id
    )
    SELECT count(*)::int AS settled FROM completed`);
  return rows[0]?.settled ?? 0;
}

/**
 * Forgets successors that can no longer be settled: their job ran in a batch that threw (it is
 * retried, or failed), was cancelled or deleted by a person, or was coalesced at insert. (A
 * successor that runs is forgotten by its batch's statement.) A row a batch's statement holds is
 * left to the next sweep: the two delete in their own orders, and waiting could deadlock them.
 */
export async function waitSuccessorsSweep(db: Pick<Drizzle, 'execute'>): Promise<void> {
  await db.execute(sql`
    DELETE FROM ${successorTable} s
     USING (SELECT t.job_id FROM ${successorTable} t
             WHERE NOT EXISTS (SELECT 1 FROM ${jobTable} j WHERE j.id = t.job_id AND j.state = 'created')
               FOR UPDATE OF t SKIP LOCKED) gone
     WHERE s.job_id = gone.job_id`);
}
