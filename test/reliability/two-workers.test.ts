/**
 * Two worker processes draining one queue: no job is run by both. Every write attempt on the
 * mirror is counted (a BEFORE INSERT trigger sees an upsert even when it changes nothing), so a
 * job run twice would show as a record attempted twice, even where the second write is a no-op.
 */
import { describe, expect, it } from 'vitest';
import { editor } from '../../src/editor/objects/editor.ts';
import { testDatabase } from '../support/database.ts';
import { testBoss } from '../support/queue.ts';
import { waitFor } from '../support/wait.ts';
import { editorJobsInsert, editorWrites, figure, jobStates, schoolsSeed, workerSpawn } from './support.ts';

const jobs = 5000;

describe('two workers at once', () => {
  it(`× ${jobs} jobs: no job run by both, every row written once`, { timeout: 120_000 }, async () => {
    const database = await testDatabase();
    const boss = await testBoss(database);
    const schoolIds = await schoolsSeed(database, jobs);
    await database.pool.query(`CREATE TABLE public.write_attempt (external_id text NOT NULL)`);
    await database.pool.query(
      `CREATE OR REPLACE FUNCTION public.write_attempt_log() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN INSERT INTO public.write_attempt VALUES (NEW.editoruuid__c); RETURN NEW; END $$`,
    );
    await database.pool.query(`CREATE TRIGGER write_attempt BEFORE INSERT ON salesforce.editor__c FOR EACH ROW EXECUTE FUNCTION public.write_attempt_log()`);

    const workers = await Promise.all([workerSpawn(database), workerSpawn(database)]);
    const started = Date.now();
    await editorJobsInsert(boss, schoolIds);
    await waitFor('every job to complete', async () => (await jobStates(database, editor.queueName)).completed === jobs, { timeoutMs: 100_000, intervalMs: 200 });
    const drainSeconds = (Date.now() - started) / 1000;
    for (const worker of workers) worker.child.kill('SIGTERM');
    const codes = await Promise.all(workers.map((worker) => worker.exited));

    const { rows } = await database.pool.query<{ attempted: number; twice: number }>(
      `SELECT count(*)::int AS attempted, count(*) FILTER (WHERE n > 1)::int AS twice
       FROM (SELECT external_id, count(*) AS n FROM public.write_attempt GROUP BY external_id) t`,
    );
    const writes = await editorWrites(database);
    const ranBoth = workers.every((worker) => worker.lines().some((line) => line.msg === 'sync workers started'));
    figure('two workers', { workers: 2, jobs, recordsAttempted: rows[0]!.attempted, runTwice: rows[0]!.twice, triggerLogInserts: writes.inserts, triggerLogUpdates: writes.updates, drainSeconds: drainSeconds.toFixed(1) });
    expect(ranBoth).toBe(true);
    expect(codes).toEqual([0, 0]);
    expect(rows[0]).toEqual({ attempted: jobs, twice: 0 });
    expect(writes).toEqual({ inserts: jobs, updates: 0, rowsWrittenTwice: 0 });
  });
});
