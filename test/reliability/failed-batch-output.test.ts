/**
 * A batch of 500 jobs whose write fails as a whole: each job's stored output and the worker's log
 * say what failed (class, SQLSTATE, the database's message) in under 2 kB, with none of the
 * payload's values; and SIGTERM hands such a batch back well within Heroku's 30 s.
 */
import { describe, expect, it } from 'vitest';
import { editor } from '../../src/editor/objects/editor.ts';
import { testDatabase } from '../support/database.ts';
import { testBoss } from '../support/queue.ts';
import { waitFor } from '../support/wait.ts';
import { editorJobsInsert, figure, jobStates, schoolsSeed, workerSpawn } from './support.ts';

const jobs = 500;
/** In every school's name, so a payload value that leaks into an output or a log line shows. */
const marker = 'Confidential-7f3a';

const database = await testDatabase();
const boss = await testBoss(database);

/** The largest stored output of the queue's jobs, and how many outputs hold the marker. */
async function outputsRead(): Promise<{ largest: number; leaking: number; sample: Record<string, unknown> | null }> {
  const { rows } = await database.pool.query<{ largest: number; leaking: number; sample: Record<string, unknown> | null }>(
    `SELECT coalesce(max(length(output::text)), 0)::int AS largest, count(*) FILTER (WHERE output::text LIKE '%' || $2 || '%')::int AS leaking,
            (SELECT output FROM pgboss.job WHERE name = $1 AND output IS NOT NULL LIMIT 1) AS sample
       FROM pgboss.job WHERE name = $1`,
    [editor.queueName, marker],
  );
  return rows[0]!;
}

describe('a 500-job batch that fails as a whole', () => {
  it('stores and logs a small error without payload values', { timeout: 120_000 }, async () => {
    const schoolIds = await schoolsSeed(database, jobs, `${marker} School`);
    await database.pool.query(`CREATE OR REPLACE FUNCTION public.refuse_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'mirror table is read-only for now'; END $$`);
    await database.pool.query(`CREATE TRIGGER refuse_row BEFORE INSERT ON salesforce.editor__c FOR EACH ROW EXECUTE FUNCTION public.refuse_row()`);
    const worker = await workerSpawn(database);
    await editorJobsInsert(boss, schoolIds);
    await waitFor('the batch to fail back to the queue', async () => (await jobStates(database, editor.queueName)).retry === jobs, { timeoutMs: 60_000, intervalMs: 100 });
    worker.child.kill('SIGTERM');
    await worker.exited;
    await database.pool.query(`DROP TRIGGER refuse_row ON salesforce.editor__c`);

    const outputs = await outputsRead();
    const longestLine = Math.max(...worker.output().split('\n').map((line) => Buffer.byteLength(line)));
    figure('failed batch output', { jobs, largestOutputChars: outputs.largest, outputsWithPayloadValues: outputs.leaking, longestLogLineBytes: longestLine });
    expect(outputs.largest).toBeLessThanOrEqual(2048);
    expect(outputs.leaking).toBe(0);
    expect(outputs.sample).toMatchObject({ name: 'SyncBatchFailedError', code: 'SYNC_BATCH_FAILED', errorClass: 'DatabaseError', sqlState: 'P0001', message: 'mirror table is read-only for now' });
    expect(worker.output()).not.toContain(marker);
    expect(worker.output()).toContain('mirror table is read-only for now');
  });

  it('is handed back within 30 s when SIGTERM comes as it fails', { timeout: 120_000 }, async () => {
    await database.pool.query(`DELETE FROM pgboss.job WHERE name = $1`, [editor.queueName]);
    const schoolIds = await schoolsSeed(database, jobs, `${marker} Academy`);
    // The write runs 3 s, then fails as a whole: SIGTERM lands while it runs, the failure during the stop.
    await database.pool.query(
      `CREATE OR REPLACE FUNCTION public.refuse_late() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(3); RAISE EXCEPTION 'mirror table is read-only for now'; END $$`,
    );
    await database.pool.query(`CREATE TRIGGER refuse_late AFTER INSERT ON salesforce.editor__c FOR EACH STATEMENT EXECUTE FUNCTION public.refuse_late()`);
    const worker = await workerSpawn(database);
    await editorJobsInsert(boss, schoolIds);
    await waitFor('the batch write to run', async () => {
      const { rows } = await database.pool.query(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event = 'PgSleep' AND query ILIKE '%editor__c%'`,
      );
      return rows.length > 0;
    }, { timeoutMs: 60_000, intervalMs: 20 });
    const signalled = Date.now();
    worker.child.kill('SIGTERM');
    const code = await worker.exited;
    const exitSeconds = (Date.now() - signalled) / 1000;
    const states = await jobStates(database, editor.queueName);
    await database.pool.query(`DROP TRIGGER refuse_late ON salesforce.editor__c`);
    const outputs = await outputsRead();
    figure('failed batch handed back', { jobs, exitSeconds: exitSeconds.toFixed(1), handedBack: states.retry ?? 0, stillActive: states.active ?? 0, largestOutputChars: outputs.largest });
    expect(code).toBe(0);
    expect(exitSeconds).toBeLessThan(30);
    expect(states.active ?? 0).toBe(0);
    expect(states.retry).toBe(jobs);
    expect(outputs.largest).toBeLessThanOrEqual(2048);
    expect(outputs.leaking).toBe(0);
  });
});
