/**
 * A wave of wake-ups: 1,000 records waiting on 1,000 Editor__c rows that all get their sfid at
 * once, in a queue holding 50,000 other pending jobs (a backlog, as after an outage). The time of
 * the waker's one tick that brings them all forward, with connect-sync's indexes on pg-boss's job
 * table (pending jobs by key, jobs by id) and without them, side by side in one run. pg-boss's
 * `update` finds a job by key, then updates it by id alone; without those indexes each call reads
 * every pending job of the queue, so a wave's cost grew with the backlog.
 */
import { performance } from 'node:perf_hooks';
import { contactEditorAffiliation } from '../src/editor/objects/contact-editor-affiliation.ts';
import { editorConfig } from '../src/editor/preset.ts';
import { silentLogger } from '../src/log.ts';
import { bossCreate } from '../src/queue/boss.ts';
import { parentWakerStart } from '../src/queue/parent-waker.ts';
import { benchDatabaseCreate } from './bench-database.ts';

export interface WakeWaveResult {
  woken: number;
  otherPendingJobs: number;
  /** Seconds for the one tick that wakes them all. */
  withIndexesSeconds: number;
  withoutIndexesSeconds: number;
  /** without ÷ with. */
  speedup: number;
  server: string;
}

const woken = 1000;
const otherPendingJobs = 50_000;
const queue = contactEditorAffiliation.queueName;
const indexes = ['sync_job_pending_key', 'sync_job_id'];

export async function wakeWaveBenchmark(): Promise<WakeWaveResult> {
  const bench = await benchDatabaseCreate('connect_sync_bench_wake_wave');
  const { database } = bench;
  const boss = bossCreate(database, silentLogger, { poolSize: 4 });
  await boss.start();
  try {
    const { rows } = await database.pool.query<{ definition: string }>(
      `SELECT indexdef AS definition FROM pg_indexes WHERE schemaname = 'pgboss' AND tablename = 'job' AND indexname = ANY($1)`,
      [indexes],
    );
    if (rows.length !== indexes.length) throw new Error(`expected the indexes ${indexes.join(', ')} on pgboss.job`);
    for (let start = 0; start < otherPendingJobs; start += 10_000) {
      const jobs = Array.from({ length: 10_000 }, (_, i) => ({ data: { roleId: 1e6 + start + i }, singletonKey: String(1e6 + start + i), startAfter: 3600 }));
      await boss.insert(queue, jobs);
    }
    await database.pool.query(`DROP INDEX ${indexes.map((name) => `pgboss.${name}`).join(', ')}`);
    const withoutIndexesSeconds = await waveSeconds('without');
    // pg_indexes spells an index of a partitioned table `ON ONLY`, which would leave its partitions without one.
    for (const { definition } of rows) await database.pool.query(definition.replace(' ON ONLY ', ' ON '));
    const withIndexesSeconds = await waveSeconds('with');
    return {
      woken,
      otherPendingJobs,
      withIndexesSeconds,
      withoutIndexesSeconds,
      speedup: Math.round((withoutIndexesSeconds / withIndexesSeconds) * 10) / 10,
      server: bench.server,
    };

    /** Records of their own for this round, each with a job due in an hour and waiting on its Editor__c; then the parents land and one tick is timed. */
    async function waveSeconds(round: string): Promise<number> {
      const keys = Array.from({ length: woken }, (_, i) => `${round}-${i}`);
      await database.pool.query(`INSERT INTO salesforce.editor__c (editoruuid__c) SELECT 'school-' || k FROM unnest($1::text[]) k`, [keys]);
      await boss.insert(queue, keys.map((key) => ({ data: { roleId: 1 }, singletonKey: key, startAfter: 3600 })));
      await database.pool.query(
        `INSERT INTO connect_sync.parent_wait (queue, record_key, parent, parent_key) SELECT $1, k, 'Editor__c', 'school-' || k FROM unnest($2::text[]) k`,
        [queue, keys],
      );
      await database.pool.query(`UPDATE salesforce.editor__c SET sfid = 'a0E' || substr(md5(editoruuid__c), 1, 15) WHERE sfid IS NULL`);
      await database.pool.query('ANALYZE pgboss.job');
      const waker = parentWakerStart(boss, database.db, editorConfig.objects, silentLogger, { intervalSeconds: 0 });
      const started = performance.now();
      const count = await waker.tick();
      const seconds = (performance.now() - started) / 1000;
      if (count !== woken) throw new Error(`the tick woke ${count} of ${woken} records`);
      return Math.round(seconds * 100) / 100;
    }
  } finally {
    await boss.stop({ graceful: false });
    await bench.drop();
  }
}
