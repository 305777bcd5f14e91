/**
 * Every connection of the worker terminated again and again while it drains a queue (as a
 * database failover or a proxy restart does): the worker process stays up, reconnects, and
 * every job completes, each row written once.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { editor } from '../../src/editor/objects/editor.ts';
import { testDatabase } from '../support/database.ts';
import { testBoss } from '../support/queue.ts';
import { waitFor } from '../support/wait.ts';
import { editorJobsInsert, editorWrites, figure, schoolsSeed, workerSpawn } from './support.ts';

const jobs = 3000;
const terminations = 15;

describe('backends terminated mid-drain', () => {
  it(`×${terminations}: the worker survives, 0 jobs lost, 0 written twice`, { timeout: 120_000 }, async () => {
    const database = await testDatabase();
    const boss = await testBoss(database);
    const schoolIds = await schoolsSeed(database, jobs);
    // Rows slow to write (2 ms each), so the drain lasts through every termination.
    await database.pool.query(`CREATE OR REPLACE FUNCTION public.slow_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.002); RETURN NEW; END $$`);
    await database.pool.query(`CREATE TRIGGER slow_row BEFORE INSERT ON salesforce.editor__c FOR EACH ROW EXECUTE FUNCTION public.slow_row()`);
    const observer = new pg.Client({ connectionString: database.url, application_name: 'reliability observer' });
    await observer.connect();
    const completed = async () =>
      (await observer.query<{ n: number }>(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state = 'completed'`, [editor.queueName])).rows[0]!.n;

    // Batches of 50, so the drain is many batches long and each termination lands in one.
    const worker = await workerSpawn(database, { WORKER_BATCH_SIZE: '50' });
    await editorJobsInsert(boss, schoolIds);
    let terminated = 0;
    for (let round = 0; round < terminations; round++) {
      // Wait for progress between terminations, so each one lands mid-drain on a live worker.
      const before = await completed();
      await waitFor('the worker to make progress', async () => (await completed()) > before, { timeoutMs: 60_000, intervalMs: 100 });
      const { rows } = await observer.query<{ n: number }>(
        `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
      );
      terminated += rows[0]!.n;
    }
    await waitFor('every job to complete', async () => (await completed()) === jobs, { timeoutMs: 90_000, intervalMs: 200 });
    const alive = worker.child.exitCode === null;
    const written = (await observer.query<{ n: number }>(`SELECT count(*)::int AS n FROM salesforce.editor__c`)).rows[0]!.n;
    await observer.end();
    worker.child.kill('SIGTERM');
    const code = await worker.exited;
    const writes = await editorWrites(database);
    figure('backends terminated mid-drain', { terminations, backendsTerminated: terminated, jobs, lost: jobs - written, writtenTwice: writes.rowsWrittenTwice, workerAlive: alive });
    expect(alive).toBe(true);
    expect(code).toBe(0);
    expect(written).toBe(jobs);
    expect(writes.rowsWrittenTwice).toBe(0);
  });
});
