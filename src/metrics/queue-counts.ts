/**
 * The queue numbers the metrics report, read without counting the job table, so a reading costs
 * the same beside an empty queue and beside a million jobs: jobs ready, deferred and active from
 * the counts pg-boss's queue monitor keeps on its `queue` table (every supervising pg-boss
 * refreshes them; the worker's own every 5 s), records waiting on a parent from
 * connect_sync.parent_wait, and dead letters (the dead-letter queue's own jobs only).
 */
import { sql } from 'drizzle-orm';
import type { Drizzle } from '../db/database.ts';
import { sqlIdentifier, syncTable } from '../db/sql-names.ts';
import { queuePrefix } from '../mirror/define.ts';
import { bossSchema, deadLetterQueue } from '../queue/queues.ts';

/** One sync queue's numbers. */
export interface QueueCount {
  /** Jobs due now (new, or retrying after an error), as pg-boss last counted them. */
  ready: number;
  /** Jobs due later: a waiting record's next try, a retry's delay, or a job sent with a start time. */
  deferred: number;
  /** Jobs running. */
  active: number;
  /** Seconds since pg-boss counted the three above, when read; null: never counted (they are unknown). */
  countedAgeSeconds: number | null;
  /** Records whose job waits for a parent to reach Salesforce. */
  waitingOnParent: number;
  /** How long the longest-waiting of them has waited, in seconds (0: none waits). */
  oldestWaitSeconds: number;
  /** Jobs in the dead-letter queue that came from this queue. */
  deadLettered: number;
}

/** Every sync queue's numbers (short name), and the dead-letter queue's jobs from anywhere. */
export interface QueueCounts {
  queues: Record<string, QueueCount>;
  deadLettered: number;
}

/** Reads the numbers in one statement: a row per queue, no scan of the pending jobs. */
export async function queueCountsRead(db: Pick<Drizzle, 'execute'>): Promise<QueueCounts> {
  const { rows } = await db.execute<{
    name: string;
    ready: number;
    deferred: number;
    active: number;
    counted_age: number | null;
    waiting: number;
    oldest_seconds: number;
    dead_lettered: number;
  }>(sql`
    WITH dead AS (
      SELECT source_name, count(*)::int AS n FROM ${sqlIdentifier(bossSchema)}.job
      WHERE name = ${deadLetterQueue} AND state IN ('created', 'retry') GROUP BY source_name
    ), waiting AS (
      SELECT queue, count(*)::int AS n, extract(epoch FROM now() - min(waiting_since))::float8 AS oldest_seconds
      FROM ${syncTable('parent_wait')} WHERE gave_up_at IS NULL GROUP BY queue
    )
    SELECT q.name, q.ready_count AS ready, q.deferred_count AS deferred, q.active_count AS active,
           extract(epoch FROM now() - q.monitor_on)::float8 AS counted_age,
           coalesce(w.n, 0) AS waiting, greatest(coalesce(w.oldest_seconds, 0), 0) AS oldest_seconds,
           CASE WHEN q.name = ${deadLetterQueue} THEN (SELECT coalesce(sum(n), 0)::int FROM dead)
                ELSE coalesce((SELECT n FROM dead WHERE source_name = q.name), 0) END AS dead_lettered
    FROM ${sqlIdentifier(bossSchema)}.queue q LEFT JOIN waiting w ON w.queue = q.name
    WHERE q.name LIKE ${`${queuePrefix}%`}`);
  const counts: QueueCounts = { queues: {}, deadLettered: 0 };
  for (const row of rows) {
    if (row.name === deadLetterQueue) {
      counts.deadLettered = row.dead_lettered;
      continue;
    }
    counts.queues[row.name.slice(queuePrefix.length)] = {
      ready: row.ready,
      deferred: row.deferred,
      active: row.active,
      countedAgeSeconds: row.counted_age === null ? null : Math.max(0, row.counted_age),
      waitingOnParent: row.waiting,
      oldestWaitSeconds: row.oldest_seconds,
      deadLettered: row.dead_lettered,
    };
  }
  return counts;
}

/** `role 3 ready, 4 deferred, 1 active, 2 waiting on a parent · school … · 4 dead-lettered` (the worker's summary line). */
export function queueCountsLine(counts: QueueCounts): string {
  const entries = Object.entries(counts.queues).sort(([a], [b]) => a.localeCompare(b));
  const parts = entries
    .filter(([, count]) => (count.countedAgeSeconds === null ? 0 : count.ready + count.deferred + count.active) + count.waitingOnParent > 0)
    .map(([queue, count]) =>
      count.countedAgeSeconds === null
        ? `${queue} ${count.waitingOnParent} waiting on a parent`
        : `${queue} ${count.ready} ready, ${count.deferred} deferred, ${count.active} active, ${count.waitingOnParent} waiting on a parent`,
    );
  const uncounted = entries.filter(([, count]) => count.countedAgeSeconds === null).length;
  if (uncounted > 0) parts.push(`jobs of ${uncounted} queues not yet counted by pg-boss's monitor`);
  if (counts.deadLettered > 0) parts.push(`${counts.deadLettered} dead-lettered`);
  return parts.length ? parts.join(' · ') : 'all sync queues idle';
}
