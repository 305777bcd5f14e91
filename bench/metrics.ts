/**
 * What the metrics cost. (1) The worker's drain with metrics against without, alternately in one
 * run: 20,000 ready role jobs, each batch counted, and the registry collected every second (a
 * scrape interval 15× more frequent than Prometheus's default) with the totals flushed every
 * second too (the worker flushes once a minute). (2) A scrape of the dashboard's /metrics beside a
 * backlog of ready jobs (200,000 on this shared 2-core machine; the goal speaks of 1 million), the
 * doctor's counts already cached, as between its refreshes.
 */
import { performance } from 'node:perf_hooks';
import { dashboardApp } from '../src/dashboard/dashboard-server.ts';
import { contactEditorAffiliation } from '../src/editor/objects/contact-editor-affiliation.ts';
import { editorConfig } from '../src/editor/preset.ts';
import { silentLogger } from '../src/log.ts';
import { SyncMetrics } from '../src/metrics/sync-metrics.ts';
import { bossCreate } from '../src/queue/boss.ts';
import { syncWorkerDefaults } from '../src/queue/sync-worker.ts';
import { queueDepthsRead } from '../src/worker/queue-depths.ts';
import { benchDatabaseCreate } from './bench-database.ts';
import { drainRate, drainSeedSql } from './drain.ts';

export interface MetricsBenchResult {
  drain: {
    jobs: number;
    withoutMetricsJobsPerSecond: number;
    withMetricsJobsPerSecond: number;
    /** 1 − with ÷ without; the goal is under 1 %. Within the runs' noise when near 0. */
    cost: number;
    /** Each run's rate, to show the noise. */
    runs: { without: number[]; with: number[] };
    /** One collection (every metric, read from the database), in ms, median over the drains. */
    collectionMs: number;
    /** The collection's share of the worker's time at one scrape every 15 s. */
    collectionShareAt15s: number;
  };
  scrape: {
    readyJobs: number;
    scrapeMs: { best: number; median: number };
    /** The one query that grows with the backlog (the summary's grouped count), alone, best of 7. */
    depthsQueryMs: number;
    /** A bare `count(*)` of the queue's jobs, best of 7: what any exact count of the backlog costs here. */
    bareCountMs: number;
    bytes: number;
  };
  server: string;
}

const scrapeBacklog = 200_000;

export async function metricsBenchmark(): Promise<MetricsBenchResult> {
  const bench = await benchDatabaseCreate('connect_sync_bench_metrics');
  try {
    const { database } = bench;
    await database.pool.query(drainSeedSql);
    const settings = { batchSize: syncWorkerDefaults.batchSize, localConcurrency: syncWorkerDefaults.localConcurrency };
    const runs = { without: [] as number[], with: [] as number[] };
    const collections: number[] = [];
    for (let round = 0; round < 2; round += 1) {
      runs.without.push(await drainRate(database, 'sync', settings));
      const metrics = new SyncMetrics(database, editorConfig, { batches: true });
      let collecting = true;
      const collector = (async () => {
        while (collecting) {
          const started = performance.now();
          await metrics.registry.metrics();
          await metrics.flush();
          collections.push(performance.now() - started);
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      })();
      runs.with.push(await drainRate(database, 'sync', settings, { metrics }));
      collecting = false;
      await collector;
    }
    const without = Math.max(...runs.without);
    const withMetrics = Math.max(...runs.with);
    const collectionMs = median(collections);

    // The scrape: a backlog of ready jobs, and the dashboard's /metrics over it.
    const boss = bossCreate(database, silentLogger, { poolSize: 4 });
    await boss.start();
    try {
      await database.pool.query(`DELETE FROM pgboss.job WHERE name = $1`, [contactEditorAffiliation.queueName]);
      for (let i = 0; i < scrapeBacklog; i += 10_000) {
        await boss.insert(
          contactEditorAffiliation.queueName,
          Array.from({ length: 10_000 }, (_, k) => ({ data: { roleId: String(i + k + 1) }, singletonKey: `backlog-${i + k}` })),
        );
      }
      await database.pool.query('VACUUM ANALYZE pgboss.job');
    } finally {
      await boss.stop({ graceful: false, timeout: 1000 });
    }
    const token = 'a-benchmark-token-of-some-length';
    const { app, metrics, close } = dashboardApp(database, editorConfig, { username: 'bench', password: 'bench-password-long' }, silentLogger, { metricsToken: token });
    await metrics.doctorRefresh();
    const times: number[] = [];
    let bytes = 0;
    for (let run = 0; run < 7; run += 1) {
      const started = performance.now();
      const response = await app.request('/metrics', { headers: { Authorization: `Bearer ${token}` } });
      const text = await response.text();
      times.push(performance.now() - started);
      bytes = text.length;
      if (!text.includes(`connect_sync_jobs{queue="role",state="ready"} ${scrapeBacklog}`)) throw new Error('the scrape did not count the backlog: its time would mean nothing');
    }
    await close();
    const best = async (work: () => Promise<unknown>) => {
      let fastest = Infinity;
      for (let run = 0; run < 7; run += 1) {
        const started = performance.now();
        await work();
        fastest = Math.min(fastest, performance.now() - started);
      }
      return fastest;
    };
    const depthsQueryMs = await best(() => queueDepthsRead(database.db));
    const bareCountMs = await best(() => database.pool.query(`SELECT count(*) FROM pgboss.job WHERE name = $1`, [contactEditorAffiliation.queueName]));
    return {
      drain: {
        jobs: 20_000,
        withoutMetricsJobsPerSecond: round(without),
        withMetricsJobsPerSecond: round(withMetrics),
        cost: round(1 - withMetrics / without, 4),
        runs: { without: runs.without.map((rate) => round(rate)), with: runs.with.map((rate) => round(rate)) },
        collectionMs: round(collectionMs),
        collectionShareAt15s: round(collectionMs / 15_000, 5),
      },
      scrape: {
        readyJobs: scrapeBacklog,
        scrapeMs: { best: round(Math.min(...times)), median: round(median(times)) },
        depthsQueryMs: round(depthsQueryMs),
        bareCountMs: round(bareCountMs),
        bytes,
      },
      server: bench.server,
    };
  } finally {
    await bench.drop();
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function round(value: number, digits = 2): number {
  return Math.round(value * 10 ** digits) / 10 ** digits;
}
