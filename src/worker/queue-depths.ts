/**
 * Exact queue depths, counted over the unfinished jobs when a person asks (the dashboard's overview,
 * `doctor --check`). The metrics and the worker's summary line read the counts pg-boss keeps
 * instead (src/metrics/queue-counts.ts): a count costs what the backlog holds.
 */
import { sql } from 'drizzle-orm';
import type { Drizzle } from '../db/database.ts';
import { queuePrefix } from '../mirror/define.ts';
import { bossSchema, deadLetterQueue } from '../queue/queues.ts';
import { sqlIdentifier, syncTable } from '../db/sql-names.ts';

const parentWaitTable = syncTable('parent_wait');

/** Unfinished jobs per sync queue (short name), and the jobs kept in the dead-letter queue. */
export interface QueueDepths {
  queues: Record<string, QueueDepth>;
  /** Jobs that gave up or were rejected; they wait for a person, not for a worker. */
  deadLettered: number;
  /** The same, by the sync queue (short name) each came from; jobs sent there directly are left out. */
  deadLetteredByQueue: Record<string, number>;
}

/** One sync queue's unfinished work. */
export interface QueueDepth {
  /** Jobs due now, waiting for a worker. */
  queued: number;
  /** Records whose job waits for a parent to reach Salesforce (connect_sync.parent_wait). */
  waitingOnParent: number;
  /** Jobs retrying after a real error (a failed write, a lost connection). */
  retrying: number;
  active: number;
  /** Jobs due later: successors of waiting jobs on their backoff, or jobs sent with a start time. */
  deferred: number;
  /** How long the longest-waiting record of `waitingOnParent` has waited, in seconds (0: none). */
  oldestWaitSeconds: number;
}

/** Reads every sync queue's depths in one statement. */
export async function queueDepthsRead(db: Drizzle): Promise<QueueDepths> {
  // Dead letters are grouped by the queue they came from; a wait's age comes from its record.
  const { rows } = await db.execute<{ name: string; state: string; count: number; oldest_seconds: number | null }>(
    sql`SELECT name, state, count(*)::int AS count, extract(epoch FROM now() - min(since))::float8 AS oldest_seconds FROM (
          SELECT CASE WHEN name = ${deadLetterQueue} THEN coalesce(source_name, name) ELSE name END AS name,
                 CASE WHEN name = ${deadLetterQueue} THEN 'deadLettered' WHEN state = 'created' AND start_after > now() THEN 'deferred' ELSE state::text END AS state,
                 NULL::timestamptz AS since
          FROM ${sqlIdentifier(bossSchema)}.job WHERE name LIKE ${`${queuePrefix}%`}
            AND (state IN ('created', 'retry', 'active') AND name <> ${deadLetterQueue} OR name = ${deadLetterQueue} AND state IN ('created', 'retry'))
          UNION ALL
          SELECT queue, 'waitingOnParent', waiting_since FROM ${parentWaitTable} WHERE gave_up_at IS NULL
        ) jobs GROUP BY name, state`,
  );
  const depths: QueueDepths = { queues: {}, deadLettered: 0, deadLetteredByQueue: {} };
  for (const row of rows) {
    if (row.state === 'deadLettered') {
      depths.deadLettered += row.count;
      if (row.name !== deadLetterQueue) depths.deadLetteredByQueue[row.name.slice(queuePrefix.length)] = row.count;
      continue;
    }
    const queue = row.name.slice(queuePrefix.length);
    const depth = (depths.queues[queue] ??= { queued: 0, waitingOnParent: 0, retrying: 0, active: 0, deferred: 0, oldestWaitSeconds: 0 });
    if (row.state === 'created') depth.queued = row.count;
    if (row.state === 'waitingOnParent') {
      depth.waitingOnParent = row.count;
      depth.oldestWaitSeconds = Math.max(0, row.oldest_seconds ?? 0);
    }
    if (row.state === 'retry') depth.retrying = row.count;
    if (row.state === 'active') depth.active = row.count;
    if (row.state === 'deferred') depth.deferred = row.count;
  }
  return depths;
}
