/**
 * The metrics' tables (migrations/connect-sync/0002): each sync queue's job outcomes as running
 * totals, and one sample a minute per queue for the overview's last-hour chart. Workers add what
 * they counted once a minute; any process (the dashboard's) reads the same numbers back.
 */
import { sql } from 'drizzle-orm';
import type { Drizzle } from '../db/database.ts';
import { syncTable } from '../db/sql-names.ts';

/** What became of a sync job, as the counters name it. */
export const syncOutcomes = ['written', 'skipped', 'discarded', 'rejected', 'waited', 'gave_up'] as const;
export type SyncOutcomeName = (typeof syncOutcomes)[number];

/** Counts by queue (short name), then by outcome. */
export type OutcomeCounts = Map<string, Map<SyncOutcomeName, number>>;

/** How long samples are kept: the chart shows the last hour; a day leaves room to look back with psql. */
export const sampleKeepHours = 24;

/** One queue's sample of one minute. */
export interface SyncSample {
  /** The minute's start. */
  sampledAt: Date;
  queue: string;
  /** Records waiting on a parent, and dead-lettered jobs, when the minute was sampled. */
  waiting: number;
  deadLettered: number;
  /** Jobs written during the minute. */
  written: number;
}

/** The running totals, by queue and outcome. */
export async function outcomeTotalsRead(db: Pick<Drizzle, 'execute'>): Promise<OutcomeCounts> {
  const { rows } = await db.execute<{ queue: string; outcome: SyncOutcomeName; total: string }>(
    sql`SELECT queue, outcome, total::text FROM ${syncTable('sync_outcome_total')}`,
  );
  const totals: OutcomeCounts = new Map();
  for (const row of rows) countAdd(totals, row.queue, row.outcome, Number(row.total));
  return totals;
}

/** Adds `n` to `counts` at queue and outcome. */
export function countAdd(counts: OutcomeCounts, queue: string, outcome: SyncOutcomeName, n: number): void {
  const byOutcome = counts.get(queue) ?? new Map<SyncOutcomeName, number>();
  counts.set(queue, byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + n));
}

/**
 * In one transaction: adds `counted` to the totals, writes this minute's sample of every queue
 * in `gauges` (adding the jobs written to a sample another worker wrote this minute), and prunes
 * samples past the kept window.
 */
export async function metricsFlush(
  db: Drizzle,
  counted: OutcomeCounts,
  gauges: ReadonlyMap<string, { waiting: number; deadLettered: number }>,
): Promise<void> {
  const totals = [...counted].flatMap(([queue, byOutcome]) => [...byOutcome].map(([outcome, n]) => ({ queue, outcome, n })));
  const samples = [...gauges].map(([queue, { waiting, deadLettered }]) => ({
    queue,
    waiting,
    dead_lettered: deadLettered,
    written: counted.get(queue)?.get('written') ?? 0,
  }));
  await db.transaction(async (tx) => {
    if (totals.length > 0) {
      await tx.execute(sql`
        INSERT INTO ${syncTable('sync_outcome_total')} AS t (queue, outcome, total)
        SELECT queue, outcome, n FROM json_to_recordset(${JSON.stringify(totals)}::json) AS e (queue text, outcome text, n bigint)
        ON CONFLICT (queue, outcome) DO UPDATE SET total = t.total + excluded.total`);
    }
    if (samples.length > 0) {
      await tx.execute(sql`
        INSERT INTO ${syncTable('sync_sample')} AS s (sampled_at, queue, waiting, dead_lettered, written)
        SELECT date_trunc('minute', now()), queue, waiting, dead_lettered, written
          FROM json_to_recordset(${JSON.stringify(samples)}::json) AS e (queue text, waiting int, dead_lettered int, written int)
        ON CONFLICT (sampled_at, queue) DO UPDATE
          SET waiting = excluded.waiting, dead_lettered = excluded.dead_lettered, written = s.written + excluded.written`);
    }
    await tx.execute(sql`DELETE FROM ${syncTable('sync_sample')} WHERE sampled_at < now() - make_interval(hours => ${sampleKeepHours})`);
  });
}

/** The samples of the last `minutes`, oldest first. */
export async function samplesRead(db: Pick<Drizzle, 'execute'>, minutes = 60): Promise<SyncSample[]> {
  const { rows } = await db.execute<{ epoch: number; queue: string; waiting: number; dead_lettered: number; written: number }>(
    sql`SELECT extract(epoch FROM sampled_at)::float8 AS epoch, queue, waiting, dead_lettered, written FROM ${syncTable('sync_sample')}
        WHERE sampled_at >= date_trunc('minute', now()) - make_interval(mins => ${minutes}) ORDER BY sampled_at, queue`,
  );
  return rows.map((row) => ({
    sampledAt: new Date(row.epoch * 1000),
    queue: row.queue,
    waiting: row.waiting,
    deadLettered: row.dead_lettered,
    written: row.written,
  }));
}
