/**
 * SIGTERM while the worker's write is blocked on a lock: the process still exits within
 * Heroku's 30 s (its own statement is cancelled at the deadline), the jobs go back to the queue,
 * nothing is half-written, and once the lock is gone the next worker writes every row.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { editor } from '../../src/editor/objects/editor.ts';
import { testDatabase } from '../support/database.ts';
import { testBoss } from '../support/queue.ts';
import { waitFor } from '../support/wait.ts';
import { editorJobsInsert, figure, jobStates, schoolsSeed, workerSpawn } from './support.ts';

describe('SIGTERM with a statement blocked on a lock', () => {
  it('exits within 30 s, hands the jobs back and writes nothing half', { timeout: 120_000 }, async () => {
    const database = await testDatabase();
    const boss = await testBoss(database);
    const schoolIds = await schoolsSeed(database, 50);
    const blocker = new pg.Client({ connectionString: database.url });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE salesforce.editor__c IN ACCESS EXCLUSIVE MODE');

    const worker = await workerSpawn(database);
    await editorJobsInsert(boss, schoolIds);
    await waitFor('the batch write to block on the lock', async () => {
      const { rows } = await database.pool.query(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%editor__c%'`,
      );
      return rows.length > 0;
    });
    const signalled = Date.now();
    worker.child.kill('SIGTERM');
    const code = await worker.exited;
    const exitSeconds = (Date.now() - signalled) / 1000;

    const states = await jobStates(database, editor.queueName);
    await blocker.query('ROLLBACK');
    await blocker.end();
    const written = (await database.pool.query<{ rows: number }>(`SELECT count(*)::int AS rows FROM salesforce.editor__c`)).rows[0]!.rows;
    figure('SIGTERM with a blocked statement', { exitSeconds: exitSeconds.toFixed(1), exitCode: code, handedBack: states.retry ?? 0, stillActive: states.active ?? 0, rowsWritten: written });
    expect(code).toBe(0);
    expect(exitSeconds).toBeLessThan(30);
    expect(states.active ?? 0).toBe(0);
    expect(written).toBe(0);
    expect(worker.output()).toContain('worker stopped');

    // Nothing lost: the next worker writes every row once the lock is gone.
    await database.pool.query(`UPDATE pgboss.job SET start_after = now() WHERE name = $1 AND state = 'retry'`, [editor.queueName]);
    const next = await workerSpawn(database);
    await waitFor('every job to complete', async () => (await jobStates(database, editor.queueName)).completed === schoolIds.length, { timeoutMs: 60_000 });
    next.child.kill('SIGTERM');
    await next.exited;
    expect((await database.pool.query(`SELECT count(*)::int AS rows FROM salesforce.editor__c`)).rows[0].rows).toBe(schoolIds.length);
  });
});
