/** The worker's periodic one-line picture of the sync queues, also shown on the dashboard. */
import { sql } from 'drizzle-orm';
import type { Drizzle } from '../db/database.ts';
import { queuePrefix } from '../mirror/define.ts';
import { bossSchema, deadLetterQueue } from '../queue/queues.ts';

/** Unfinished jobs per sync queue (short name), and the jobs kept in the dead-letter queue. */
export interface QueueDepths {
  queues: Record<string, { waiting: number; retrying: number; active: number }>;
  /** Jobs that gave up or were rejected; they wait for a person, not for a worker. */
  deadLettered: number;
}

export async function queueDepthsRead(db: Drizzle): Promise<QueueDepths> {
  const { rows } = await db.execute<{ name: string; state: string; count: number }>(
    sql`SELECT name, state::text AS state, count(*)::int AS count FROM ${sql.identifier(bossSchema)}.job
        WHERE name LIKE ${`${queuePrefix}%`} AND state IN ('created', 'retry', 'active')
        GROUP BY name, state`,
  );
  const depths: QueueDepths = { queues: {}, deadLettered: 0 };
  for (const row of rows) {
    if (row.name === deadLetterQueue) {
      depths.deadLettered += row.count;
      continue;
    }
    const queue = row.name.slice(queuePrefix.length);
    const depth = (depths.queues[queue] ??= { waiting: 0, retrying: 0, active: 0 });
    if (row.state === 'created') depth.waiting = row.count;
    if (row.state === 'retry') depth.retrying = row.count;
    if (row.state === 'active') depth.active = row.count;
  }
  return depths;
}

/** `role 3 waiting, 2 retrying, 1 active · school … · 4 dead-lettered` */
export function queueDepthsLine(depths: QueueDepths): string {
  const parts = Object.entries(depths.queues)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([queue, { waiting, retrying, active }]) => `${queue} ${waiting} waiting, ${retrying} retrying, ${active} active`);
  const busy = parts.length ? parts.join(' · ') : 'all sync queues idle';
  return depths.deadLettered > 0 ? `${busy} · ${depths.deadLettered} dead-lettered` : busy;
}
