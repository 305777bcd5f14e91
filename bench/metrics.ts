/**
 * What the metrics cost, and what a scrape costs beside a large backlog. The worker's share is
 * measured directly and side by side (metrics-cost.ts). A scrape of the dashboard's /metrics is
 * timed beside an empty queue and beside 1,000,000 ready jobs, the doctor's counts cached as
 * between their refreshes and every scrape starting the next collection in the background (the
 * most the collections can run alongside the scrapes); the collection itself, the exact count a
 * scrape used to run, and pg-boss's own monitor pass (which keeps the counts a scrape reports)
 * are timed beside it too.
 */
import { performance } from 'node:perf_hooks';
import type { Database } from '../src/db/database.ts';
import { dashboardApp } from '../src/dashboard/dashboard-server.ts';
import { contactEditorAffiliation } from '../src/editor/objects/contact-editor-affiliation.ts';
import { editorConfig } from '../src/editor/preset.ts';
import { silentLogger } from '../src/log.ts';
import { bossCreate } from '../src/queue/boss.ts';
import { queueDepthsRead } from '../src/worker/queue-depths.ts';
import { benchDatabaseCreate } from './bench-database.ts';
import { drainSeedSql } from './drain.ts';
import { collectionCost, countingMicroseconds, doctorRefreshCost, drainPairs, median, quantile, round, type CollectionCost, type DrainPairs } from './metrics-cost.ts';

/** Scrape times, in ms. */
interface ScrapeTimes {
  p50: number;
  p95: number;
  max: number;
}

export interface MetricsBenchResult {
  cost: {
    /** CPU time to count one settled batch of 500 jobs, in µs, and its share of the batch's own run. */
    countingPerBatchMicroseconds: number;
    countingShareOfBatch: number;
    /** One minute's collection in the worker (summary and flush), beside an empty queue and beside the backlog. */
    collectionPerMinute: { empty: CollectionCost; backlog: CollectionCost };
    /** The doctor's refresh of the mirror counts at this benchmark's size (20,000 schools, roles and contacts): see the doctor benchmark for 1 and 10 million rows. */
    doctorRefresh: { ms: number; shareOf5Minutes: number };
    drain: DrainPairs;
  };
  scrape: {
    scrapes: number;
    empty: ScrapeTimes;
    backlog: ScrapeTimes & { readyJobs: number; bytes: number };
    /** Inserting the backlog, in s (set-wise, 250,000 rows a statement). */
    backlogInsertSeconds: number;
    /** Beside the backlog, in ms: pg-boss's monitor pass (its grouped count), and the exact count a scrape used to run, and a bare count(*). */
    bossMonitorPassMs: number;
    exactDepthsQueryMs: number;
    bareCountMs: number;
  };
  server: string;
}

const backlog = 1_000_000;
const scrapes = 60;
const drainPairCount = 10;
const token = 'a-benchmark-token-of-some-length';

export async function metricsBenchmark(): Promise<MetricsBenchResult> {
  const bench = await benchDatabaseCreate('connect_sync_bench_metrics');
  try {
    const { database } = bench;
    await database.pool.query(drainSeedSql);
    const drain = await drainPairs(database, drainPairCount);
    const countingPerBatchMicroseconds = countingMicroseconds();
    const doctorRefresh = await doctorRefreshCost(database);

    await database.pool.query(`DELETE FROM pgboss.job WHERE name = $1`, [contactEditorAffiliation.queueName]);
    await database.pool.query('VACUUM ANALYZE pgboss.job');
    await monitorPass(database);
    const emptyCollection = await collectionCost(database);
    const empty = await scrapeTimes(database, 0);

    const insertStarted = performance.now();
    await backlogInsert(database);
    const backlogInsertSeconds = (performance.now() - insertStarted) / 1000;
    const bossMonitorPassMs = await monitorPass(database);
    const backlogCollection = await collectionCost(database);
    const full = await scrapeTimes(database, backlog);
    const exactDepthsQueryMs = await best(() => queueDepthsRead(database.db));
    const bareCountMs = await best(() => database.pool.query(`SELECT count(*) FROM pgboss.job WHERE name = $1`, [contactEditorAffiliation.queueName]));
    return {
      cost: {
        countingPerBatchMicroseconds,
        countingShareOfBatch: round(countingPerBatchMicroseconds / 1000 / drain.meanBatchMs, 6),
        collectionPerMinute: { empty: emptyCollection, backlog: backlogCollection },
        doctorRefresh,
        drain,
      },
      scrape: {
        scrapes,
        empty: { p50: empty.p50, p95: empty.p95, max: empty.max },
        backlog: { ...full, readyJobs: backlog },
        backlogInsertSeconds: round(backlogInsertSeconds, 1),
        bossMonitorPassMs: round(bossMonitorPassMs),
        exactDepthsQueryMs: round(exactDepthsQueryMs),
        bareCountMs: round(bareCountMs),
      },
      server: bench.server,
    };
  } finally {
    await bench.drop();
  }
}

/**
 * Ready role jobs, set-wise: the row connect_sync.job_insert writes (the queue's settings copied,
 * a distinct record key each), with triggers off for the statement (session_replication_role):
 * the record-key trigger has nothing to coalesce among distinct keys, and every queue name exists.
 */
async function backlogInsert(database: Database): Promise<void> {
  const client = await database.pool.connect();
  try {
    await client.query(`SET session_replication_role = replica`);
    for (let from = 1; from <= backlog; from += 250_000) {
      await client.query(
        `INSERT INTO pgboss.job (name, data, singleton_key, policy, retry_limit, retry_delay, retry_backoff, retry_delay_max,
           expire_seconds, deletion_seconds, keep_until, dead_letter, heartbeat_seconds, start_after, created_on)
         SELECT q.name, jsonb_build_object('roleId', n::text), n::text, q.policy, q.retry_limit, q.retry_delay, coalesce(q.retry_backoff, false),
           q.retry_delay_max, q.expire_seconds, q.deletion_seconds, now() + q.retention_seconds * interval '1 second', q.dead_letter,
           q.heartbeat_seconds, now(), now()
         FROM pgboss.queue q, generate_series($2::int, $3::int) n WHERE q.name = $1`,
        [contactEditorAffiliation.queueName, from, Math.min(backlog, from + 249_999)],
      );
    }
    await client.query(`RESET session_replication_role`);
  } finally {
    client.release();
  }
  await database.pool.query('VACUUM ANALYZE pgboss.job');
}

/** One pass of pg-boss's supervisor (its queue monitor's grouped count), as a worker's runs every 5 s; its time in ms. */
async function monitorPass(database: Database): Promise<number> {
  const boss = bossCreate(database, silentLogger, { poolSize: 2 });
  await boss.start();
  try {
    // The monitor counts a queue at most every monitorIntervalSeconds: let this pass count them all.
    await database.pool.query(`UPDATE pgboss.queue SET monitor_claim_on = NULL, monitor_on = NULL`);
    const started = performance.now();
    await boss.supervise();
    return performance.now() - started;
  } finally {
    await boss.stop({ graceful: false, timeout: 1000 });
  }
}

/** `scrapes` scrapes of the dashboard's /metrics, each starting the next collection. */
async function scrapeTimes(database: Database, readyJobs: number): Promise<ScrapeTimes & { bytes: number }> {
  const { app, metrics, close } = dashboardApp(database, editorConfig, { username: 'bench', password: 'bench-password-long' }, silentLogger, {
    metricsToken: token,
    metricsCollectSeconds: 0,
  });
  try {
    await metrics.doctorRefresh();
    const times: number[] = [];
    let bytes = 0;
    for (let run = 0; run < scrapes + 3; run += 1) {
      const started = performance.now();
      const response = await app.request('/metrics', { headers: { Authorization: `Bearer ${token}` } });
      const text = await response.text();
      // The first waits for the first collection; two more warm up.
      if (run >= 3) times.push(performance.now() - started);
      bytes = text.length;
      if (!text.includes(`connect_sync_jobs{queue="role",state="ready"} ${readyJobs}\n`)) throw new Error('the scrape did not report the backlog: its time would mean nothing');
      // As a scraper's interval leaves room: the collection each scrape started runs in it, not after it.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const sorted = times.sort((a, b) => a - b);
    return { p50: round(median(sorted)), p95: round(quantile(sorted, 0.95)), max: round(sorted.at(-1)!), bytes };
  } finally {
    await close();
  }
}

async function best(work: () => Promise<unknown>): Promise<number> {
  let fastest = Infinity;
  for (let run = 0; run < 3; run += 1) {
    const started = performance.now();
    await work();
    fastest = Math.min(fastest, performance.now() - started);
  }
  return fastest;
}
