/**
 * Every connection of the worker terminated again and again while its jobs wait on parents and
 * the parents arrive a slice at a time: the waker and the settling of waits hold connections in
 * transactions, so a termination lands on a checked-out connection. The worker process stays up,
 * and every record's row is inserted once, after its parent arrives.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { classroom } from '../../src/editor/objects/classroom.ts';
import { testDatabase } from '../support/database.ts';
import { testBoss } from '../support/queue.ts';
import { waitFor } from '../support/wait.ts';
import { backendsTerminate, classroomsWaitingSeed, editorsAccept, editorWrites, figure, jobStates, schoolsSeed, workerSpawn } from './support.ts';

const records = 1000;
const rounds = 20;

describe('backends terminated while jobs wait on parents', () => {
  it(`×${rounds}: the worker survives, every job lands once after its parent`, { timeout: 180_000 }, async () => {
    const database = await testDatabase();
    const boss = await testBoss(database);
    const schoolIds = await schoolsSeed(database, records);
    const observer = new pg.Client({ connectionString: database.url, application_name: 'reliability observer' });
    await observer.connect();
    const count = async (query: string) => (await observer.query<{ n: number }>(query)).rows[0]!.n;

    const worker = await workerSpawn(database, { WORKER_BATCH_SIZE: '100' });
    await classroomsWaitingSeed(database, boss, schoolIds);
    await waitFor('every record to wait on its school', async () => (await count(`SELECT count(*)::int AS n FROM connect_sync.parent_wait`)) === records, {
      timeoutMs: 60_000,
      intervalMs: 100,
    });

    // Each round a slice of the schools reaches Salesforce; the termination lands while the waker
    // wakes their classes and the worker writes them or settles the rest of the waits.
    let terminated = 0;
    const slice = records / rounds;
    for (let round = 0; round < rounds && worker.child.exitCode === null; round++) {
      await editorsAccept(observer, schoolIds.slice(round * slice, (round + 1) * slice));
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 400));
      terminated += await backendsTerminate(observer);
    }
    const written = () => count(`SELECT count(*)::int AS n FROM salesforce.classroom__c`);
    await waitFor('every class to be written', async () => worker.child.exitCode !== null || (await written()) === records, { timeoutMs: 120_000, intervalMs: 200 });
    const alive = worker.child.exitCode === null;
    const landed = await written();
    await observer.end();
    worker.child.kill('SIGTERM');
    const code = await worker.exited;
    const states = await jobStates(database, classroom.queueName);
    const writes = await editorWrites(database, 'classroom__c');
    // A batch whose write committed but whose jobs were not yet settled when its connection died
    // runs again: the row is written again with the same values (an UPDATE in Connect's log).
    figure('backends terminated while jobs wait', { rounds, backendsTerminated: terminated, records, landed, inserted: writes.inserts, rewritten: writes.rowsWrittenTwice, failed: states.failed ?? 0, workerAlive: alive });
    expect(alive, worker.output().slice(-3000)).toBe(true);
    expect(code).toBe(0);
    expect(landed).toBe(records);
    expect(writes.inserts).toBe(records);
    expect(states.failed ?? 0).toBe(0);
  });
});
