/**
 * A batch whose one write loses a deadlock (40P01) or a serialization failure (40001) runs again
 * at once, up to three times: its jobs complete with none of their retries spent, each row is
 * written once, and nothing is logged. A conflict that outlasts the three reruns fails the batch
 * as any other error does: one warning, one retry spent by every job. The conflicts are raised by
 * a test trigger on the mirror table (a set number of times), and once by a real deadlock against
 * another transaction holding a row the batch writes.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import { editor } from '../../src/editor/objects/editor.ts';
import { logCapture, type CapturedLog } from '../support/log.ts';
import { jobsRead, type JobRow } from '../support/queue.ts';
import { mirrorRowInsert, mirrorRowRead, schoolInsert } from '../support/records.ts';
import { testSyncWorker } from '../support/sync-worker.ts';
import { waitFor } from '../support/wait.ts';
import { editorWrites } from '../reliability/support.ts';

/**
 * Makes the first `times` writes of an Editor__c row fail with SQLSTATE `code`, then lets rows
 * through. The count is a sequence: a table's count would roll back with the failed statement.
 */
async function conflictsRaise(database: Database, times: number, code: string): Promise<void> {
  await database.pool.query('CREATE SEQUENCE test_conflict_attempt');
  await database.pool.query('CREATE TABLE test_conflict (times int NOT NULL, code text NOT NULL)');
  await database.pool.query('INSERT INTO test_conflict VALUES ($1, $2)', [times, code]);
  await database.pool.query(`
    CREATE FUNCTION test_conflict_raise() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE planned test_conflict;
    BEGIN
      SELECT * INTO planned FROM test_conflict;
      IF nextval('test_conflict_attempt') <= planned.times THEN
        RAISE EXCEPTION 'conflict raised by the test' USING ERRCODE = planned.code;
      END IF;
      RETURN NEW;
    END $$`);
  await database.pool.query(`CREATE TRIGGER test_conflict BEFORE INSERT OR UPDATE ON salesforce.editor__c FOR EACH ROW EXECUTE FUNCTION test_conflict_raise()`);
}

/** Rows the trigger saw: one per failed statement (it fails on its first row), then one per row written. */
async function conflictAttempts(database: Database): Promise<number> {
  const { rows } = await database.pool.query<{ n: number }>(`SELECT CASE WHEN is_called THEN last_value ELSE 0 END::int AS n FROM test_conflict_attempt`);
  return rows[0]!.n;
}

/** `count` schools and their Editor__c jobs, enqueued in one transaction so one fetch takes them all: one batch. */
async function schoolsEnqueue(worker: Awaited<ReturnType<typeof testSyncWorker>>, count: number) {
  const schools = await Promise.all(Array.from({ length: count }, (_, i) => schoolInsert(worker.database, { name: `Conflicted ${i}` })));
  await worker.database.db.transaction(async (tx) => {
    for (const school of schools) await worker.sync.enqueue(editor, { schoolId: school.id, isCreate: true }, { tx });
  });
  return schools;
}

async function editorJobs(database: Database): Promise<JobRow[]> {
  return jobsRead(database, editor.queueName);
}

/** What the worker said at warn or above, and any line at all that speaks of the conflict. */
function conflictLines(captured: CapturedLog) {
  return captured.lines.filter((line) => line.level >= 40 || /conflict|deadlock|40P01|40001/i.test(JSON.stringify(line)));
}

describe('a batch whose write loses a conflict', () => {
  it.each(['40P01', '40001'])('runs again at once, up to three times (SQLSTATE %s): every job completes with its retries unspent', async (code) => {
    const captured = logCapture('debug');
    const worker = await testSyncWorker({ log: captured.log });
    await conflictsRaise(worker.database, 3, code);
    const schools = await schoolsEnqueue(worker, 3);

    const jobs = await waitFor('every job to settle', async () => {
      const rows = await editorJobs(worker.database);
      return rows.length === 3 && rows.every((job) => job.state !== 'created' && job.state !== 'active') && rows;
    });
    expect(jobs.map(({ state, retry_count, output }) => ({ state, retry_count, output }))).toEqual(
      Array.from({ length: 3 }, () => ({ state: 'completed', retry_count: 0, output: { written: 'Editor__c' } })),
    );
    // Three statements failed on their first row, then the fourth wrote all three rows.
    expect(await conflictAttempts(worker.database)).toBe(3 + 3);
    expect(await editorWrites(worker.database)).toEqual({ inserts: 3, updates: 0, rowsWrittenTwice: 0 });
    for (const school of schools) expect(await mirrorRowRead(worker.database, editor, school.id)).toMatchObject({ name: school.name });
    // A rerun is silent: no warning, no line naming the conflict.
    expect(conflictLines(captured)).toEqual([]);
  });

  it('fails the batch as before when the conflict outlasts three reruns: one warning, one retry spent by each job', async () => {
    const captured = logCapture('debug');
    const worker = await testSyncWorker({ log: captured.log });
    // Four failed statements: the run and its three reruns. The retry (about 3 s later) writes.
    await conflictsRaise(worker.database, 4, '40P01');
    const schools = await schoolsEnqueue(worker, 3);

    const retrying = await waitFor('the batch to fail', async () => {
      const rows = await editorJobs(worker.database);
      return rows.length === 3 && rows.every((job) => job.state === 'retry') && rows;
    });
    expect(await conflictAttempts(worker.database)).toBe(4);
    for (const job of retrying) expect(job.output).toMatchObject({ name: 'SyncBatchFailedError', sqlState: '40P01', message: 'conflict raised by the test' });
    expect(await editorWrites(worker.database)).toEqual({ inserts: 0, updates: 0, rowsWrittenTwice: 0 });
    expect(conflictLines(captured)).toEqual([
      expect.objectContaining({
        level: 40,
        queue: editor.queueName,
        jobs: 3,
        errorClass: 'DatabaseError',
        sqlState: '40P01',
        msg: 'batch of 3 jobs failed, to be retried: conflict raised by the test',
      }),
    ]);

    const completed = await waitFor('the retry to write', async () => {
      const rows = await editorJobs(worker.database);
      return rows.every((job) => job.state === 'completed') && rows;
    });
    // pg-boss counts a retry when it fetches the job again: each job ran twice.
    expect(completed.map((job) => job.retry_count)).toEqual([1, 1, 1]);
    expect(await editorWrites(worker.database)).toEqual({ inserts: 3, updates: 0, rowsWrittenTwice: 0 });
    for (const school of schools) expect(await mirrorRowRead(worker.database, editor, school.id)).toMatchObject({ name: school.name });
    expect(conflictLines(captured)).toHaveLength(1);
  });

  it('runs again after losing a real deadlock to another transaction, which goes on', async () => {
    const captured = logCapture('debug');
    const worker = await testSyncWorker({ log: captured.log });
    const { database } = worker;
    const [held, fresh] = await Promise.all([schoolInsert(database, { name: 'Held' }), schoolInsert(database, { name: 'Fresh' })]);
    // The held school's mirror row exists, so the batch's upsert must lock it to update it.
    await mirrorRowInsert(database, editor, held.id, { synced: true, values: { name: 'Before' } });
    const before = await editorWrites(database);
    const deadlocksBefore = await deadlocksCounted(database);

    // Another transaction (Connect writing back, say) holds the held row, and will want the table.
    // Its deadlock check comes long after the batch's (1 s, the server's default), so the batch
    // is the one rolled back.
    const other = new pg.Client({ connectionString: database.url });
    await other.connect();
    try {
      await other.query(`BEGIN; SET LOCAL deadlock_timeout = '20s'`);
      await other.query('UPDATE salesforce.editor__c SET name = $1 WHERE editoruuid__c = $2', ['Other', held.id]);
      await worker.database.db.transaction(async (tx) => {
        for (const school of [held, fresh]) await worker.sync.enqueue(editor, { schoolId: school.id }, { tx });
      });
      // The batch's write waits on the held row, holding its table open for writing...
      await waitFor('the batch to wait on the held row', async () => {
        // Asked outside the other transaction, which would see one snapshot of pg_stat_activity.
        const { rows } = await database.pool.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE 'insert into "salesforce"."editor__c"%'`,
        );
        return rows.length > 0;
      }, { intervalMs: 10 });
      // ...and the other transaction now wants the table whole: each waits on the other.
      const started = Date.now();
      await other.query('LOCK TABLE salesforce.editor__c IN SHARE MODE');
      // Granted well before its own deadlock check: the batch's statement was the one rolled back.
      expect(Date.now() - started).toBeLessThan(10_000);
      await other.query('ROLLBACK');
    } finally {
      await other.end();
    }

    const jobs = await waitFor('both jobs to settle', async () => {
      const rows = await editorJobs(database);
      return rows.length === 2 && rows.every((job) => job.state !== 'created' && job.state !== 'active') && rows;
    });
    expect(jobs.map(({ state, retry_count, output }) => ({ state, retry_count, output }))).toEqual([
      { state: 'completed', retry_count: 0, output: { written: 'Editor__c' } },
      { state: 'completed', retry_count: 0, output: { written: 'Editor__c' } },
    ]);
    await waitFor('the deadlock to be counted', async () => (await deadlocksCounted(database)) === deadlocksBefore + 1);
    // The rerun wrote each row once: the held row updated, the fresh one inserted.
    const after = await editorWrites(database);
    expect({ inserts: after.inserts - before.inserts, updates: after.updates - before.updates }).toEqual({ inserts: 1, updates: 1 });
    expect(await mirrorRowRead(database, editor, held.id)).toMatchObject({ name: 'Held' });
    expect(await mirrorRowRead(database, editor, fresh.id)).toMatchObject({ name: 'Fresh' });
    expect(conflictLines(captured)).toEqual([]);
  });
});

/** Deadlocks the server detected in `database` (pg_stat_database, flushed within about a second). */
async function deadlocksCounted(database: Database): Promise<number> {
  const { rows } = await database.pool.query<{ n: number }>(`SELECT deadlocks::int AS n FROM pg_stat_database WHERE datname = current_database()`);
  return rows[0]!.n;
}
