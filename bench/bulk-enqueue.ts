/**
 * Bulk enqueue (a backfill's shape): 20,000 role jobs in one pg-boss `insert` into a queue whose
 * job table was last analyzed empty, as on a freshly migrated database, with the record-key
 * trigger on and off, alternately in one run. The trigger looks up an identical waiting job per
 * inserted row; the ratio shows that lookup stays an index probe rather than a scan of the rows
 * already inserted (which made the insert quadratic).
 */
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { contactEditorAffiliation } from '../src/editor/objects/contact-editor-affiliation.ts';
import { silentLogger } from '../src/log.ts';
import { bossCreate } from '../src/queue/boss.ts';
import { benchDatabaseCreate } from './bench-database.ts';

export interface BulkEnqueueResult {
  jobs: number;
  /** Milliseconds for one insert of `jobs`, best of the rounds. */
  withTriggerMs: number;
  withoutTriggerMs: number;
  /** with ÷ without. */
  ratio: number;
  server: string;
}

const jobs = 20_000;
const rounds = 2;

export async function bulkEnqueueBenchmark(): Promise<BulkEnqueueResult> {
  const bench = await benchDatabaseCreate('connect_sync_bench_bulk_enqueue');
  const { pool } = bench.database;
  const boss = bossCreate(bench.database, silentLogger, { poolSize: 2 });
  await boss.start();
  const queue = contactEditorAffiliation.queueName;
  const timings = { with: [] as number[], without: [] as number[] };
  try {
    for (let round = 0; round < rounds; round += 1) {
      for (const trigger of ['with', 'without'] as const) {
        await pool.query(`ALTER TABLE pgboss.job ${trigger === 'with' ? 'ENABLE' : 'DISABLE'} TRIGGER sync_job_record_key`);
        await pool.query('TRUNCATE pgboss.job');
        await pool.query('ANALYZE pgboss.job');
        const rows = Array.from({ length: jobs }, () => {
          const roleId = randomUUID();
          return { data: { roleId }, singletonKey: roleId };
        });
        const started = performance.now();
        await boss.insert(queue, rows);
        timings[trigger].push(performance.now() - started);
      }
    }
    await pool.query('ALTER TABLE pgboss.job ENABLE TRIGGER sync_job_record_key');
    const withTriggerMs = Math.round(Math.min(...timings.with));
    const withoutTriggerMs = Math.round(Math.min(...timings.without));
    return { jobs, withTriggerMs, withoutTriggerMs, ratio: Math.round((withTriggerMs / withoutTriggerMs) * 100) / 100, server: bench.server };
  } finally {
    await boss.stop({ graceful: false });
    await bench.drop();
  }
}
