/** What a demo run produced, read from the mirror and the queue once it has settled. */
import { sql } from 'drizzle-orm';
import type { Drizzle } from '../db/database.ts';
import { sqlIdentifier } from '../db/sql-names.ts';
import { queuePrefix } from '../mirror/define.ts';
import { contactEditorAffiliation } from '../editor/objects/contact-editor-affiliation.ts';
import { bossSchema, deadLetterQueue } from '../queue/queues.ts';

/** The counts the demo reports for one run. */
export interface DemoOutcome {
  affiliationsExpected: number;
  affiliationsLanded: number;
  /** Affiliation rows Connect left FAILED, by the parent its lookup could not find. */
  fkFailed: { editor: number; contact: number };
  /** Executions beyond each job's first, over every sync queue: real errors only. */
  retries: number;
  /** Runs that found a parent missing and left the job waiting (no execution spent). */
  waits: number;
  /** Jobs that ran out of executions (now in the dead-letter queue). */
  exhausted: number;
  /** Their messages, one per exhausted job. */
  exhaustedMessages: string[];
  /** Parent in Salesforce → child in Salesforce, in demo seconds (Connect's delays shrunk). */
  parentToChildSeconds: { p50: number | null; p99: number | null };
  /**
   * Parent in Salesforce → child's mirror row written, in real seconds: the waker, NOTIFY and
   * fetch run at production speed in the demo too. Null without the guard (written at once).
   */
  parentToChildWrittenSeconds: { p50: number | null; p99: number | null } | null;
  /** How long the run took, in seconds of this demo (not simulated time). */
  runSeconds: number;
}

/** Affiliation rows landed in Salesforce and FAILED by cause. */
export async function affiliationsRead(db: Drizzle): Promise<{ landed: number; failedEditor: number; failedContact: number }> {
  const { rows } = await db.execute<{ landed: number; failed_editor: number; failed_contact: number }>(sql`
    SELECT count(*) FILTER (WHERE sfid IS NOT NULL)::int AS landed,
           count(*) FILTER (WHERE _hc_lastop = 'FAILED' AND _hc_err LIKE '%entity Editor__c%')::int AS failed_editor,
           count(*) FILTER (WHERE _hc_lastop = 'FAILED' AND _hc_err LIKE '%entity Contact%')::int AS failed_contact
    FROM ${contactEditorAffiliation.table}`);
  const row = rows[0]!;
  return { landed: row.landed, failedEditor: row.failed_editor, failedContact: row.failed_contact };
}

/** Sync jobs by whether they are settled, for progress and for knowing when a run is over. */
export async function syncJobsProgress(db: Drizzle): Promise<{ total: number; settled: number; retries: number; waits: number }> {
  const { rows } = await db.execute<{ total: number; settled: number; retries: number; waits: number }>(sql`
    SELECT count(*)::int AS total,
           count(*) FILTER (WHERE state IN ('completed', 'failed', 'cancelled'))::int AS settled,
           coalesce(sum(retry_count), 0)::int AS retries,
           count(*) FILTER (WHERE state = 'completed' AND output ? 'waiting')::int AS waits
    FROM ${sqlIdentifier(bossSchema)}.job
    WHERE name LIKE ${`${queuePrefix}%`} AND name <> ${deadLetterQueue}`);
  return rows[0]!;
}

/** Trigger-log entries Connect has not sent yet. */
export async function connectBacklog(db: Drizzle): Promise<number> {
  const { rows } = await db.execute<{ backlog: number }>(
    sql`SELECT count(*)::int AS backlog FROM ${sqlIdentifier(contactEditorAffiliation.mirrorSchema)}._trigger_log WHERE state IN ('NEW', 'PENDING')`,
  );
  return rows[0]!.backlog;
}

/** The messages of the jobs that ran out of executions, as their dead-letter copies keep them. */
export async function exhaustedRead(db: Drizzle): Promise<string[]> {
  const { rows } = await db.execute<{ message: string }>(sql`
    SELECT coalesce(output->>'message', '(no message)') AS message
    FROM ${sqlIdentifier(bossSchema)}.job WHERE name = ${deadLetterQueue} ORDER BY 1`);
  return rows.map((row) => row.message);
}

/** The p-th percentile (0–100) of `values`, nearest rank; null when there are none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[rank]! * 100) / 100;
}
