/**
 * The worker and a database that goes away, on a server of the test's own: started while the
 * server is down, the worker waits for it (one line when it is found unreachable, one when it
 * answers) and then works; SIGTERM while it waits exits cleanly; and a server restart while jobs
 * wait on parents costs nothing: the worker stays up and every record lands once.
 */
import type { PgBoss } from 'pg-boss';
import { describe, expect, it } from 'vitest';
import { classroom } from '../../src/editor/objects/classroom.ts';
import { editor } from '../../src/editor/objects/editor.ts';
import { bossCreate } from '../../src/queue/boss.ts';
import { silentLogger } from '../../src/log.ts';
import { waitFor } from '../support/wait.ts';
import { classroomsWaitingSeed, ownServerStart, editorJobsInsert, editorsAccept, editorWrites, figure, jobStates, schoolsSeed, workerSpawn } from './support.ts';

const server = await ownServerStart();
const { database } = server;

/** Enqueues through a pg-boss of the test's own, stopped at once: none is left to suffer the restart. */
async function withBoss(work: (boss: PgBoss) => Promise<unknown>): Promise<void> {
  const boss = bossCreate(database, silentLogger, { poolSize: 2 });
  await boss.start();
  try {
    await work(boss);
  } finally {
    await boss.stop({ graceful: false, timeout: 1000 });
  }
}

const count = async (query: string) => (await database.pool.query<{ n: number }>(query)).rows[0]!.n;
const linesWith = (output: string, text: string) => output.split('\n').filter((line) => line.includes(text)).length;

describe('a worker started while its database is down', () => {
  it('waits, says so once, and works once the database is up', { timeout: 120_000 }, async () => {
    await server.stop();
    const worker = await workerSpawn(database, {}, { untilStarted: false });
    await waitFor('the worker to find the database unreachable', () => worker.output().includes('unreachable') || worker.child.exitCode !== null, { timeoutMs: 30_000 });
    // Several retries' worth of time: the worker keeps waiting rather than exiting.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    const aliveWhileDown = worker.child.exitCode === null;

    await server.start();
    await waitFor('the worker to start working', () => worker.output().includes('sync workers started') || worker.child.exitCode !== null, { timeoutMs: 30_000 });
    const schoolIds = await schoolsSeed(database, 200);
    await withBoss((boss) => editorJobsInsert(boss, schoolIds));
    await waitFor('every job to complete', async () => (await jobStates(database, editor.queueName)).completed === schoolIds.length, { timeoutMs: 60_000, intervalMs: 200 });
    worker.child.kill('SIGTERM');
    const code = await worker.exited;
    const output = worker.output();
    figure('worker started with the database down', {
      aliveWhileDown,
      unreachableLines: linesWith(output, 'unreachable'),
      reachableAgainLines: linesWith(output, 'reachable again'),
      jobs: schoolIds.length,
      exitCode: code,
    });
    expect(aliveWhileDown, output.slice(-2000)).toBe(true);
    expect(linesWith(output, 'unreachable')).toBe(1);
    expect(linesWith(output, 'reachable again')).toBe(1);
    expect(code).toBe(0);
  });

  it('exits cleanly on SIGTERM while it waits', { timeout: 60_000 }, async () => {
    await server.stop();
    try {
      const worker = await workerSpawn(database, {}, { untilStarted: false });
      await waitFor('the worker to find the database unreachable', () => worker.output().includes('unreachable') || worker.child.exitCode !== null, { timeoutMs: 30_000 });
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
      expect(worker.output()).toContain('shutdown requested during start-up');
    } finally {
      await server.start();
    }
  });
});

describe('a worker whose database refuses it', () => {
  it('exits at once with one line: retrying cannot heal a wrong password', { timeout: 60_000 }, async () => {
    const url = new URL(database.url);
    url.password = 'not-the-password';
    const worker = await workerSpawn({ url: url.toString() }, {}, { untilStarted: false });
    expect(await worker.exited).toBe(1);
    expect(worker.output()).toContain('Cannot connect to Postgres');
    expect(worker.output()).not.toContain('not-the-password');
    expect(worker.output()).not.toContain('unreachable');
  });
});

describe('a server restart while jobs wait on parents', () => {
  it('the worker survives and every record lands once', { timeout: 180_000 }, async () => {
    const records = 500;
    const schoolIds = await schoolsSeed(database, records, 'Restart');
    const worker = await workerSpawn(database, { WORKER_BATCH_SIZE: '100' });
    await withBoss((boss) => classroomsWaitingSeed(database, boss, schoolIds));
    await waitFor('every record to wait on its school', async () => (await count(`SELECT count(*)::int AS n FROM connect_sync.parent_wait`)) >= records, {
      timeoutMs: 60_000,
      intervalMs: 100,
    });

    // Waits slow to mark (5 ms a row), so the waker's transaction is open when the server stops.
    await database.pool.query(`CREATE OR REPLACE FUNCTION public.slow_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.005); RETURN NEW; END $$`);
    await database.pool.query(`CREATE TRIGGER slow_row BEFORE UPDATE ON connect_sync.parent_wait FOR EACH ROW EXECUTE FUNCTION public.slow_row()`);
    // Half the schools reach Salesforce; the server restarts while their classes are woken.
    await editorsAccept(database.pool, schoolIds.slice(0, records / 2));
    await waitFor('the waker to be waking them', async () => {
      const { rows } = await database.pool.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active' AND query ILIKE '%woken_at = now()%'`);
      return rows.length > 0;
    }, { timeoutMs: 30_000, intervalMs: 20 });
    await server.stop();
    await server.start();
    await editorsAccept(database.pool, schoolIds.slice(records / 2));

    const written = () => count(`SELECT count(*)::int AS n FROM salesforce.classroom__c`);
    await waitFor('every class to be written', async () => worker.child.exitCode !== null || (await written()) === records, { timeoutMs: 120_000, intervalMs: 200 });
    const alive = worker.child.exitCode === null;
    const landed = await written();
    worker.child.kill('SIGTERM');
    const code = await worker.exited;
    const states = await jobStates(database, classroom.queueName);
    const writes = await editorWrites(database, 'classroom__c');
    figure('server restart while jobs wait', { records, landed, inserted: writes.inserts, rewritten: writes.rowsWrittenTwice, failed: states.failed ?? 0, workerAlive: alive, exitCode: code });
    expect(alive, worker.output().slice(-3000)).toBe(true);
    expect(landed).toBe(records);
    expect(writes.inserts).toBe(records);
    expect(states.failed ?? 0).toBe(0);
    expect(code).toBe(0);
  });
});
