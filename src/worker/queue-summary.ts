/** The worker's periodic one-line picture of the sync queues. */
import { sql } from 'drizzle-orm';
import type { Drizzle } from '../db/database.ts';
import { queuePrefix } from '../mirror/define.ts';
import { bossSchema } from '../queue/queues.ts';

/** Jobs per queue (short name) and state, for the states that are not finished. */
export type QueueDepths = Record<string, { waiting: number; retrying: number; active: number }>;

export async function queueDepthsRead(db: Drizzle): Promise<QueueDepths> {
  const { rows } = await db.execute<{ name: string; state: string; count: number }>(
    sql`SELECT name, state::text AS state, count(*)::int AS count FROM ${sql.identifier(bossSchema)}.job
        WHERE name LIKE ${`${queuePrefix}%`} AND state IN ('created', 'retry', 'active')
        GROUP BY name, state`,
  );
  const depths: QueueDepths = {};
  for (const row of rows) {
    const queue = row.name.slice(queuePrefix.length);
    const depth = (depths[queue] ??= { waiting: 0, retrying: 0, active: 0 });
    if (row.state === 'created') depth.waiting = row.count;
    if (row.state === 'retry') depth.retrying = row.count;
    if (row.state === 'active') depth.active = row.count;
  }
  return depths;
}

/** `role 3 waiting, 2 retrying, 1 active · school idle` */
export function queueDepthsLine(depths: QueueDepths): string {
  const parts = Object.entries(depths)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([queue, { waiting, retrying, active }]) => `${queue} ${waiting} waiting, ${retrying} retrying, ${active} active`);
  return parts.length ? parts.join(' · ') : 'all sync queues idle';
}
