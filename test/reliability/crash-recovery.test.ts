/**
 * A worker killed mid-batch (SIGKILL: no goodbye, its jobs left `active`) loses nothing and
 * writes nothing twice: the jobs' heartbeat stops, pg-boss's supervisor hands them back within
 * seconds, and the next worker's upserts, idempotent by external id, change no row again.
 */
import { describe, expect, it } from 'vitest';
import { editor } from '../../src/editor/objects/editor.ts';
import { testDatabase } from '../support/database.ts';
import { testBoss } from '../support/queue.ts';
import { waitFor } from '../support/wait.ts';
import { editorJobsInsert, editorWrites, figure, jobStates, schoolsSeed, workerSpawn, type SpawnedWorker } from './support.ts';

const jobs = 2000;
const kills = 5;

describe('a worker killed mid-batch', () => {
  it(`×${kills}: 0 jobs lost, 0 written twice, each killed batch finished within 60 s`, { timeout: 240_000 }, async () => {
    const database = await testDatabase();
    const boss = await testBoss(database);
    const schoolIds = await schoolsSeed(database, jobs);
    // The queue's rows are made slow to write (a trigger sleeping 5 ms per row) so every kill lands mid-batch.
    await database.pool.query(`CREATE OR REPLACE FUNCTION public.slow_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.005); RETURN NEW; END $$`);
    await database.pool.query(`CREATE TRIGGER slow_row BEFORE INSERT ON salesforce.editor__c FOR EACH ROW EXECUTE FUNCTION public.slow_row()`);

    // One crash at a time, as a dyno crashes and Heroku restarts it: the restarted worker (no
    // other runs) must find the dead worker's jobs and finish them.
    const recoveredMs: number[] = [];
    let killedInFlight = 0;
    let worker: SpawnedWorker = await workerSpawn(database);
    for (let kill = 0; kill < kills; kill++) {
      // Each crash gets its own share of the jobs, so there is always a batch in flight to kill.
      const share = jobs / kills;
      await editorJobsInsert(boss, schoolIds.slice(kill * share, (kill + 1) * share));
      const active = await waitFor('a batch in flight', async () => {
        const { rows } = await database.pool.query<{ id: string }>(`SELECT id FROM pgboss.job WHERE name = $1 AND state = 'active'`, [editor.queueName]);
        return rows.length > 0 ? rows.map((row) => row.id) : undefined;
      }, { timeoutMs: 60_000, intervalMs: 20 });
      worker.child.kill('SIGKILL');
      const killedAt = Date.now();
      killedInFlight += active.length;
      await worker.exited;
      worker = await workerSpawn(database);
      await waitFor('the killed batch to be finished by the restarted worker', async () => {
        const { rows } = await database.pool.query<{ done: number }>(
          `SELECT count(*)::int AS done FROM pgboss.job WHERE name = $1 AND id = ANY($2::uuid[]) AND state = 'completed'`,
          [editor.queueName, active],
        );
        return rows[0]!.done === active.length;
      }, { timeoutMs: 90_000, intervalMs: 100 });
      recoveredMs.push(Date.now() - killedAt);
    }
    await waitFor('every job to complete', async () => (await jobStates(database, editor.queueName)).completed === jobs, { timeoutMs: 90_000, intervalMs: 200 });
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);

    const { rows } = await database.pool.query<{ rows: number }>(`SELECT count(*)::int AS rows FROM salesforce.editor__c`);
    const writes = await editorWrites(database);
    const lost = jobs - rows[0]!.rows;
    figure('SIGKILL mid-batch', {
      kills,
      jobs,
      killedInFlight,
      lost,
      writtenTwice: writes.rowsWrittenTwice + writes.updates,
      recoverySeconds: recoveredMs.map((ms) => (ms / 1000).toFixed(1)).join('/'),
    });
    expect(lost).toBe(0);
    expect(writes).toEqual({ inserts: jobs, updates: 0, rowsWrittenTwice: 0 });
    expect(Math.max(...recoveredMs)).toBeLessThan(60_000);
  });
});
