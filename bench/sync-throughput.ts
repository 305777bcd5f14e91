/**
 * Sync throughput, batched against one job at a time, measured side by side in one run:
 * - the mechanism: 2,000 role jobs (both parents synced) as batches of 50, against 2,000 single
 *   calls: one read, one guard query per parent object and one write per batch instead of per job;
 * - the queue: a pg-boss worker fetching 50 at a time (back to back while batches come full)
 *   against one at a time, which sleeps its polling interval after every fetch.
 */
import { performance } from 'node:perf_hooks';
import type { Database } from '../src/db/database.ts';
import { silentLogger } from '../src/log.ts';
import { contactEditorAffiliation } from '../src/editor/objects/contact-editor-affiliation.ts';
import { editor } from '../src/editor/objects/editor.ts';
import { bossCreate } from '../src/queue/boss.ts';
import { syncWorkStart } from '../src/queue/sync-worker.ts';
import { syncBatch, type SyncJob } from '../src/sync/sync-batch.ts';
import { benchDatabaseCreate } from './bench-database.ts';
import { editorConfig } from '../src/editor/preset.ts';

export interface SyncThroughputResult {
  mechanism: { jobs: number; batchedSeconds: number; singleSeconds: number; speedup: number };
  queue: { batchedJobsPerSecond: number; singleJobsPerSecond: number; speedup: number; windowSeconds: number };
  server: string;
}

const roles = 2000;
const queueJobs = 3000;
const singleWindowSeconds = 10;

const seedSql = `
  INSERT INTO schools (id, name, creator_id) SELECT md5('s' || n)::uuid, 'School ' || n, md5('u' || n)::uuid FROM generate_series(1, ${roles}) n;
  INSERT INTO roles (school_id, role, user_id) SELECT md5('s' || n)::uuid, 'teacher', md5('u' || n)::uuid FROM generate_series(1, ${roles}) n;
  INSERT INTO salesforce.editor__c (editoruuid__c, sfid) SELECT md5('s' || n)::uuid::text, 'a0E' || lpad(n::text, 15, '0') FROM generate_series(1, ${roles}) n;
  INSERT INTO salesforce.contact (pi_accounts_unique_id__c, sfid) SELECT md5('u' || n)::uuid::text, '003' || lpad(n::text, 15, '0') FROM generate_series(1, ${roles}) n;
  ANALYZE;`;

export async function syncThroughputBenchmark(): Promise<SyncThroughputResult> {
  const bench = await benchDatabaseCreate('connect_sync_bench_sync');
  try {
    const { database } = bench;
    await database.pool.query(seedSql);
    const mechanism = await mechanismCompare(database);
    const queue = await queueCompare(database);
    return { mechanism, queue, server: bench.server };
  } finally {
    await bench.drop();
  }
}

async function mechanismCompare(database: Database): Promise<SyncThroughputResult['mechanism']> {
  const { rows } = await database.pool.query<{ id: string }>('SELECT id::text FROM roles ORDER BY id');
  const jobs: SyncJob[] = rows.map((row) => ({ id: row.id, data: { roleId: row.id } }));
  const timed = async (batch: number) => {
    await database.pool.query(`TRUNCATE salesforce.${contactEditorAffiliation.tableName}`);
    const started = performance.now();
    for (let i = 0; i < jobs.length; i += batch) {
      await syncBatch(database.db, editorConfig.objects, contactEditorAffiliation, jobs.slice(i, i + batch), { enabled: true });
    }
    return (performance.now() - started) / 1000;
  };
  await timed(50); // warm-up
  const batchedSeconds = await timed(50);
  const singleSeconds = await timed(1);
  return { jobs: jobs.length, batchedSeconds: round(batchedSeconds), singleSeconds: round(singleSeconds), speedup: round(singleSeconds / batchedSeconds) };
}

async function queueCompare(database: Database): Promise<SyncThroughputResult['queue']> {
  const rate = async (batchSize: number, windowSeconds: number) => {
    const boss = bossCreate(database, silentLogger, { poolSize: 6 });
    await boss.start();
    await database.pool.query(`DELETE FROM pgboss.job WHERE name = $1`, [editor.queueName]);
    const { rows } = await database.pool.query<{ id: string }>(`SELECT id::text FROM schools ORDER BY id LIMIT ${queueJobs}`);
    await boss.insert(editor.queueName, rows.map((row) => ({ data: { schoolId: row.id }, singletonKey: row.id })));
    const started = performance.now();
    await syncWorkStart(boss, database.db, editorConfig.objects, silentLogger, { enabled: true, batchSize, pollingIntervalSeconds: 0.5, only: [editor] });
    let completed = 0;
    while ((performance.now() - started) / 1000 < windowSeconds && completed < rows.length) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const counted = await database.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state = 'completed'`, [
        editor.queueName,
      ]);
      completed = counted.rows[0]!.n;
    }
    const seconds = (performance.now() - started) / 1000;
    await boss.stop({ graceful: true, timeout: 5000 });
    return completed / seconds;
  };
  const batchedJobsPerSecond = await rate(50, 120);
  const singleJobsPerSecond = await rate(1, singleWindowSeconds);
  return {
    batchedJobsPerSecond: round(batchedJobsPerSecond),
    singleJobsPerSecond: round(singleJobsPerSecond),
    speedup: round(batchedJobsPerSecond / singleJobsPerSecond),
    windowSeconds: singleWindowSeconds,
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
