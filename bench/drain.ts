/**
 * Drain: 20,000 ready role jobs (both parents in Salesforce) worked by the sync worker, against a
 * bare pg-boss worker that completes every job without doing anything, with the same work
 * settings (batch size, concurrency, polling), alternately in one run. Also the rate at which
 * waiting jobs are re-timed: 5,000 role jobs whose Editor__c has no sfid, each settled as waiting
 * with its successor inserted.
 */
import { performance } from 'node:perf_hooks';
import type { JobResult, PgBoss } from 'pg-boss';
import type { Database } from '../src/db/database.ts';
import { contactEditorAffiliation } from '../src/editor/objects/contact-editor-affiliation.ts';
import { editorConfig } from '../src/editor/preset.ts';
import { silentLogger } from '../src/log.ts';
import { bossCreate } from '../src/queue/boss.ts';
import { syncWorkerDefaults, syncWorkStart, type SyncWorkerOptions } from '../src/queue/sync-worker.ts';
import { benchDatabaseCreate } from './bench-database.ts';

export interface DrainResult {
  jobs: number;
  settings: { batchSize: number; localConcurrency: number };
  syncJobsPerSecond: number;
  noopJobsPerSecond: number;
  /** sync ÷ no-op; the goal is ≥ 0.8. */
  ratio: number;
  /** The same at the old default (batch 50, one batch at a time), for comparison. */
  batch50: { syncJobsPerSecond: number; noopJobsPerSecond: number; ratio: number };
  waiting: { jobs: number; waitingJobsPerSecond: number };
  server: string;
}

const jobs = 20_000;
const waitingJobs = 5000;
const queue = contactEditorAffiliation.queueName;

export const drainSeedSql = `
  INSERT INTO schools (id, name, creator_id) SELECT md5('s' || n)::uuid, 'School ' || n, md5('u' || n)::uuid FROM generate_series(1, ${jobs}) n;
  INSERT INTO roles (school_id, role, user_id) SELECT md5('s' || n)::uuid, 'teacher', md5('u' || n)::uuid FROM generate_series(1, ${jobs}) n;
  INSERT INTO salesforce.editor__c (editoruuid__c, sfid) SELECT md5('s' || n)::uuid::text, CASE WHEN n > ${waitingJobs} THEN 'a0E' || lpad(n::text, 15, '0') END FROM generate_series(1, ${jobs}) n;
  INSERT INTO salesforce.contact (pi_accounts_unique_id__c, sfid) SELECT md5('u' || n)::uuid::text, '003' || lpad(n::text, 15, '0') FROM generate_series(1, ${jobs}) n;
  ANALYZE;`;

export async function drainBenchmark(): Promise<DrainResult> {
  const bench = await benchDatabaseCreate('connect_sync_bench_drain');
  try {
    const { database } = bench;
    await database.pool.query(drainSeedSql);
    const settings = { batchSize: syncWorkerDefaults.batchSize, localConcurrency: syncWorkerDefaults.localConcurrency };
    const rates = { sync: [] as number[], noop: [] as number[] };
    const old = { sync: [] as number[], noop: [] as number[] };
    for (let round = 0; round < 2; round += 1) {
      rates.noop.push(await drainRate(database, 'noop', settings));
      rates.sync.push(await drainRate(database, 'sync', settings));
      old.noop.push(await drainRate(database, 'noop', { batchSize: 50, localConcurrency: 1 }));
      old.sync.push(await drainRate(database, 'sync', { batchSize: 50, localConcurrency: 1 }));
    }
    const best = (values: number[]) => Math.max(...values);
    const waiting = await waitingRate(database, settings);
    return {
      jobs,
      settings,
      syncJobsPerSecond: round(best(rates.sync)),
      noopJobsPerSecond: round(best(rates.noop)),
      ratio: round(best(rates.sync) / best(rates.noop)),
      batch50: { syncJobsPerSecond: round(best(old.sync)), noopJobsPerSecond: round(best(old.noop)), ratio: round(best(old.sync) / best(old.noop)) },
      waiting: { jobs: waitingJobs, waitingJobsPerSecond: round(waiting) },
      server: bench.server,
    };
  } finally {
    await bench.drop();
  }
}

export type WorkSettings = Pick<SyncWorkerOptions, 'batchSize' | 'localConcurrency'>;

/** Enqueues one job per role of `roleIds` (after clearing the queue and the mirror rows written). */
async function jobsEnqueue(database: Database, boss: PgBoss, where: string): Promise<number> {
  await database.pool.query(`DELETE FROM pgboss.job WHERE name = $1`, [queue]);
  await database.pool.query(`TRUNCATE salesforce.${contactEditorAffiliation.tableName}, connect_sync.parent_wait`);
  const { rows } = await database.pool.query<{ id: string }>(`SELECT r.id::text FROM roles r JOIN salesforce.editor__c e ON e.editoruuid__c = r.school_id::text WHERE ${where}`);
  for (let i = 0; i < rows.length; i += 5000) {
    await boss.insert(queue, rows.slice(i, i + 5000).map((row) => ({ data: { roleId: row.id }, singletonKey: row.id })));
  }
  await database.pool.query('VACUUM ANALYZE pgboss.job');
  return rows.length;
}

/** Jobs per second from the worker's start until every job of the queue is completed (the database seeded as drainBenchmark seeds it). */
export async function drainRate(database: Database, kind: 'sync' | 'noop', settings: WorkSettings, extra: Partial<SyncWorkerOptions> = {}): Promise<number> {
  const boss = bossCreate(database, silentLogger, { poolSize: 10 });
  await boss.start();
  try {
    const total = await jobsEnqueue(database, boss, 'e.sfid IS NOT NULL');
    const started = performance.now();
    if (kind === 'sync') {
      await syncWorkStart(boss, database.db, editorConfig.objects, silentLogger, { enabled: true, ...settings, ...extra, pollingIntervalSeconds: 0.5, only: [contactEditorAffiliation] });
    } else {
      // The same work options the sync worker uses; the handler only says every job completed.
      await boss.work(
        queue,
        { ...settings, burstWhenBatchFull: true, pollingIntervalSeconds: 0.5, includeMetadata: true, perJobResults: true },
        async (batch) => batch.map((job): JobResult => ({ id: job.id, status: 'completed' })),
      );
    }
    await countReached(database, `SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state = 'completed'`, [queue], total);
    const seconds = (performance.now() - started) / 1000;
    if (kind === 'sync') {
      // A rate of jobs that did not write would mean nothing.
      const { rows } = await database.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM salesforce.${contactEditorAffiliation.tableName}`);
      if (rows[0]!.n !== total) throw new Error(`the sync worker wrote ${rows[0]!.n} of ${total} affiliation rows`);
    }
    return total / seconds;
  } finally {
    await boss.stop({ graceful: true, timeout: 5000 });
  }
}

/** Waiting jobs settled per second: each completed as waiting, with its successor inserted. */
async function waitingRate(database: Database, settings: WorkSettings): Promise<number> {
  const boss = bossCreate(database, silentLogger, { poolSize: 10 });
  await boss.start();
  try {
    const total = await jobsEnqueue(database, boss, 'e.sfid IS NULL');
    const started = performance.now();
    await syncWorkStart(boss, database.db, editorConfig.objects, silentLogger, { enabled: true, ...settings, pollingIntervalSeconds: 0.5, only: [contactEditorAffiliation] });
    await countReached(database, `SELECT count(*)::int AS n FROM connect_sync.parent_wait`, [], total);
    return total / ((performance.now() - started) / 1000);
  } finally {
    await boss.stop({ graceful: true, timeout: 5000 });
  }
}

async function countReached(database: Database, query: string, values: unknown[], total: number): Promise<void> {
  const deadline = performance.now() + 300_000;
  for (;;) {
    const { rows } = await database.pool.query<{ n: number }>(query, values);
    if (rows[0]!.n >= total) return;
    if (performance.now() > deadline) throw new Error(`only ${rows[0]!.n} of ${total} jobs after 300 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
