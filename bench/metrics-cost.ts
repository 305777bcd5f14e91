/**
 * What collecting metrics costs the worker, two ways. (1) Directly: the CPU time the worker's own
 * counting takes per batch, and the CPU and database time of one minute's collection at the
 * worker's cadence (one summary, one flush), each against the time it is spread over, and the
 * doctor's refresh of the mirror counts (every 5 minutes in a process whose metrics are read). (2) Side
 * by side: the drain with metrics against without, in alternating short rounds (AB BA AB …), the
 * ratio taken per pair, so drift and load spikes fall on both sides alike.
 */
import { performance } from 'node:perf_hooks';
import type { JobResult, JobWithMetadata } from 'pg-boss';
import type { MetricValueWithName } from 'prom-client';
import type { Database } from '../src/db/database.ts';
import { editorConfig } from '../src/editor/preset.ts';
import { syncBatchCounted } from '../src/metrics/batch-counted.ts';
import { SyncMetrics } from '../src/metrics/sync-metrics.ts';
import { syncWorkerDefaults } from '../src/queue/sync-worker.ts';
import type { SyncOutcome } from '../src/sync/sync-batch.ts';
import { drainRate } from './drain.ts';

/** One minute's collection in the worker: its wall time, its own CPU time, and the rest (the database and the wire), in ms. */
export interface CollectionCost {
  wallMs: number;
  cpuMs: number;
  /** Wall minus CPU: the database's time plus the round trips, an upper bound on the database's. */
  databaseMs: number;
  /** (CPU + database) ÷ the minute it is spread over. */
  shareOfMinute: number;
}

/** The median of `runs` repetitions of a worker minute's collection: its summary (with l2met lines) and its flush. */
export async function collectionCost(database: Database, runs = 15): Promise<CollectionCost> {
  const metrics = new SyncMetrics(database, editorConfig, { batches: true });
  await metrics.doctorRefresh();
  const samples: { wallMs: number; cpuMs: number }[] = [];
  for (let run = 0; run < runs + 2; run += 1) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    await metrics.summary('bench');
    await metrics.flush();
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    // The first two warm the code paths and the connections.
    if (run >= 2) samples.push({ wallMs, cpuMs: (used.user + used.system) / 1000 });
  }
  const wallMs = median(samples.map((sample) => sample.wallMs));
  const cpuMs = median(samples.map((sample) => sample.cpuMs));
  const databaseMs = Math.max(0, wallMs - cpuMs);
  return { wallMs: round(wallMs), cpuMs: round(cpuMs), databaseMs: round(databaseMs), shareOfMinute: round((cpuMs + databaseMs) / 60_000, 6) };
}

/** The CPU time of counting one settled batch of `jobs` jobs (syncBatchCounted and batchRecord), in microseconds. */
export function countingMicroseconds(jobs = syncWorkerDefaults.batchSize, batches = 2000): number {
  const metrics = new SyncMetrics({} as Database, editorConfig, { batches: true });
  const now = new Date();
  const batch = Array.from({ length: jobs }, (_, i) => ({ id: `job-${i}`, startAfter: now, createdOn: now }) as JobWithMetadata<unknown>);
  const outcomes = new Map<string, SyncOutcome>(batch.map((job) => [job.id, { status: 'written', recordId: job.id }]));
  const results: JobResult[] = batch.map((job) => ({ id: job.id, status: 'completed' }));
  const cpu = process.cpuUsage();
  for (let i = 0; i < batches; i += 1) metrics.batchRecord('role', ...syncBatchCounted(batch, outcomes, results, performance.now()));
  const used = process.cpuUsage(cpu);
  return round((used.user + used.system) / batches, 1);
}

export interface DrainPairs {
  pairs: number;
  jobsPerRound: number;
  runs: { without: number[]; with: number[] };
  /** with ÷ without, per pair. */
  ratios: number[];
  medianRatio: number;
  /** The middle half of the ratios (25th to 75th percentile), and the extremes. */
  spread: { p25: number; p75: number; min: number; max: number };
  /** The batches' mean run in the rounds with metrics, in ms (from the batch histogram). */
  meanBatchMs: number;
}

/**
 * `pairs` pairs of drains of the seeded ready jobs, with metrics and without, the order swapped
 * every pair. With metrics, every batch is counted, and the numbers are collected twice (a
 * collection and a scrape's) and the totals flushed every second: 60 times the worker's cadence.
 */
export async function drainPairs(database: Database, pairs: number): Promise<DrainPairs> {
  const settings = { batchSize: syncWorkerDefaults.batchSize, localConcurrency: syncWorkerDefaults.localConcurrency };
  const runs = { without: [] as number[], with: [] as number[] };
  // One metrics object for every round, its doctor's counts computed first: the doctor refreshes
  // every 5 minutes (timed on its own, doctorRefreshCost), not once per short round.
  const metrics = new SyncMetrics(database, editorConfig, { batches: true, collectEverySeconds: 0, doctorEverySeconds: 3600 });
  await metrics.doctorRefresh();
  const withMetrics = async () => {
    let collecting = true;
    const collector = (async () => {
      while (collecting) {
        await metrics.collect();
        await metrics.registry.metrics();
        await metrics.flush();
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    })();
    const rate = await drainRate(database, 'sync', settings, { metrics });
    collecting = false;
    await collector;
    return rate;
  };
  for (let pair = 0; pair < pairs; pair += 1) {
    const order = pair % 2 === 0 ? (['without', 'with'] as const) : (['with', 'without'] as const);
    for (const side of order) runs[side].push(side === 'with' ? await withMetrics() : await drainRate(database, 'sync', settings));
  }
  const { rows } = await database.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM roles r JOIN salesforce.editor__c e ON e.editoruuid__c = r.school_id::text WHERE e.sfid IS NOT NULL`);
  const histogram = (await metrics.registry.getSingleMetric('connect_sync_batch_duration_seconds')!.get()).values as MetricValueWithName<string>[];
  const batchSeconds = histogram.find((value) => value.metricName === 'connect_sync_batch_duration_seconds_sum')?.value ?? 0;
  const batchCount = histogram.find((value) => value.metricName === 'connect_sync_batch_duration_seconds_count')?.value ?? 0;
  const ratios = runs.with.map((rate, i) => rate / runs.without[i]!);
  const sorted = [...ratios].sort((a, b) => a - b);
  return {
    pairs,
    jobsPerRound: rows[0]!.n,
    runs: { without: runs.without.map((rate) => round(rate)), with: runs.with.map((rate) => round(rate)) },
    ratios: ratios.map((ratio) => round(ratio, 3)),
    medianRatio: round(median(ratios), 4),
    spread: { p25: round(quantile(sorted, 0.25), 3), p75: round(quantile(sorted, 0.75), 3), min: round(sorted[0]!, 3), max: round(sorted.at(-1)!, 3) },
    meanBatchMs: round((batchSeconds / Math.max(1, batchCount)) * 1000),
  };
}

/** The doctor's refresh of the mirror counts (median of 3, in ms), and its share of the 5 minutes between refreshes. */
export async function doctorRefreshCost(database: Database): Promise<{ ms: number; shareOf5Minutes: number }> {
  const metrics = new SyncMetrics(database, editorConfig);
  const times: number[] = [];
  for (let run = 0; run < 3; run += 1) {
    const started = performance.now();
    await metrics.doctorRefresh();
    times.push(performance.now() - started);
  }
  return { ms: round(median(times)), shareOf5Minutes: round(median(times) / 300_000, 6) };
}

export function median(values: readonly number[]): number {
  return quantile([...values].sort((a, b) => a - b), 0.5);
}

/** The `q` quantile of sorted `values`, interpolated. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  return sorted[low]! + (sorted[Math.min(low + 1, sorted.length - 1)]! - sorted[low]!) * (at - low);
}

export function round(value: number, digits = 2): number {
  return Math.round(value * 10 ** digits) / 10 ** digits;
}
