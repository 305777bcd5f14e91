/**
 * Wake latency: role jobs wait on their Editor__c; at a random moment each Editor__c gets its
 * sfid, and we time sfid → affiliation row written. Side by side in one run:
 * - with the waker (the worker as `workerStart` runs it, real time scale);
 * - with the backoff only (waker off), on the schedule shrunk 20× and reported back in real-time
 *   seconds (÷ the scale; the worker's 0.5 s poll then weighs 20× too, ≤ 10 s).
 */
import { performance } from 'node:perf_hooks';
import { contactEditorAffiliation } from '../src/editor/objects/contact-editor-affiliation.ts';
import { editorConfig } from '../src/editor/preset.ts';
import { silentLogger } from '../src/log.ts';
import { percentile } from '../src/demo/demo-measure.ts';
import { workerStart } from '../src/worker/worker-process.ts';
import type { Database } from '../src/db/database.ts';
import { benchDatabaseCreate } from './bench-database.ts';

export interface WakeLatencyResult {
  samples: number;
  /** Seconds from the sfid to the child written, with the waker (real time). */
  wake: { p50: number | null; p99: number | null };
  /** The same with the backoff only, in real-time-equivalent seconds. */
  backoffOnly: { p50: number | null; p99: number | null; timeScale: number; parentWithinMinutes: number };
  server: string;
}

const samples = 40;
const backoffScale = 0.05;
/** In the backoff-only run each parent arrives at a random moment within this many minutes of the first wait. */
const parentWithinMinutes = 20;

export async function wakeLatencyBenchmark(): Promise<WakeLatencyResult> {
  const bench = await benchDatabaseCreate('connect_sync_bench_wake');
  try {
    const { database } = bench;
    const wake = await latencies(database, { timeScale: 1, parentWakeSeconds: 0.5, windowSeconds: 10 });
    const backoff = await latencies(database, { timeScale: backoffScale, parentWakeSeconds: 0, windowSeconds: parentWithinMinutes * 60 * backoffScale });
    const scaled = backoff.map((seconds) => seconds / backoffScale);
    return {
      samples,
      wake: { p50: percentile(wake, 50), p99: percentile(wake, 99) },
      backoffOnly: { p50: percentile(scaled, 50), p99: percentile(scaled, 99), timeScale: backoffScale, parentWithinMinutes },
      server: bench.server,
    };
  } finally {
    await bench.drop();
  }
}

async function latencies(database: Database, options: { timeScale: number; parentWakeSeconds: number; windowSeconds: number }): Promise<number[]> {
  await database.pool.query(`TRUNCATE roles, schools, salesforce.editor__c, salesforce.contact, salesforce.${contactEditorAffiliation.tableName}, connect_sync.parent_wait CASCADE`);
  await database.pool.query(`DELETE FROM pgboss.job`);
  const { rows } = await database.pool.query<{ role_id: string; school_id: string }>(`
    WITH s AS (INSERT INTO schools (id, name, creator_id) SELECT gen_random_uuid(), 'School ' || n, gen_random_uuid() FROM generate_series(1, ${samples}) n RETURNING id),
    r AS (INSERT INTO roles (school_id, role, user_id) SELECT id, 'teacher', gen_random_uuid() FROM s RETURNING id, school_id, user_id),
    e AS (INSERT INTO salesforce.editor__c (editoruuid__c) SELECT school_id::text FROM r),
    c AS (INSERT INTO salesforce.contact (pi_accounts_unique_id__c, sfid) SELECT user_id::text, '003' || lpad(id::text, 15, '0') FROM r)
    SELECT id::text AS role_id, school_id::text FROM r`);
  const worker = await workerStart(database, editorConfig, silentLogger, {
    summarySeconds: 0,
    reconcilerCron: 'off',
    timeScale: options.timeScale,
    parentWakeSeconds: options.parentWakeSeconds,
    pollingIntervalSeconds: 0.5,
    only: [contactEditorAffiliation],
  });
  try {
    await worker.boss.insert(contactEditorAffiliation.queueName, rows.map((row) => ({ data: { roleId: row.role_id }, singletonKey: row.role_id })));
    await until(async () => (await database.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM connect_sync.parent_wait`)).rows[0]!.n >= samples);
    const readyAt = new Map<string, number>();
    const landedAt = new Map<string, number>();
    const start = performance.now();
    const moments = rows.map((row) => ({ row, at: start + Math.random() * options.windowSeconds * 1000 })).sort((a, b) => a.at - b.at);
    let next = 0;
    await until(async () => {
      const now = performance.now();
      while (next < moments.length && moments[next]!.at <= now) {
        const { row } = moments[next]!;
        await database.pool.query(`UPDATE salesforce.editor__c SET sfid = $2 WHERE editoruuid__c = $1`, [row.school_id, `a0E${row.role_id.padStart(15, '0')}`]);
        readyAt.set(row.role_id, performance.now());
        next += 1;
      }
      const { rows: landed } = await database.pool.query<{ id: string }>(`SELECT affiliation_id__c AS id FROM salesforce.${contactEditorAffiliation.tableName}`);
      const seen = performance.now();
      for (const { id } of landed) if (!landedAt.has(id)) landedAt.set(id, seen);
      return landedAt.size >= samples;
    }, 20);
    return rows.map((row) => (landedAt.get(row.role_id)! - readyAt.get(row.role_id)!) / 1000);
  } finally {
    await worker.stop(2000);
  }
}

async function until(check: () => Promise<boolean>, intervalMs = 50): Promise<void> {
  const deadline = performance.now() + 600_000;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error('wake-latency benchmark did not settle within 600 s');
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
