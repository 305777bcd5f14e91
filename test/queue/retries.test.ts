/**
 * Retries with a clear end. Waiting for a parent spends no execution and is bounded by time:
 * past PARENT_WAIT_MAX_SECONDS the job fails into the dead-letter queue with one error line naming
 * the record, however many times it waited; a wait longer than ten backoff steps does not end it.
 * Jobs that cannot succeed give up at once, and jobs that run while syncing is off are discarded.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { syncOffReason } from '../../src/sync/sync-batch.ts';
import { contactEditorAffiliation } from '../../src/editor/objects/contact-editor-affiliation.ts';
import { contact } from '../../src/editor/objects/contact.ts';
import { editor } from '../../src/editor/objects/editor.ts';
import { deadLetterQueue } from '../../src/queue/queues.ts';
import { parentWaitMaxSecondsDefault } from '../../src/queue/retry-schedule.ts';
import { syncWorkStart } from '../../src/queue/sync-worker.ts';
import type { Database } from '../../src/db/database.ts';
import { testDatabase } from '../support/database.ts';
import { logCapture } from '../support/log.ts';
import { jobsRead, testBoss } from '../support/queue.ts';
import { mirrorRowInsert, mirrorRowRead, roleInsert, schoolInsert } from '../support/records.ts';
import { testSyncWorker } from '../support/sync-worker.ts';
import { waitFor } from '../support/wait.ts';
import { editorObjectSet } from '../support/editor.ts';

// The 4.5-hour wait bound shrunk to about 1.6 s.
const captured = logCapture();
const { database, boss, sync } = await testSyncWorker({ timeScale: 0.0001, log: captured.log });

async function jobsOf(on: Database, queue: string, key: string) {
  return (await jobsRead(on, queue)).filter((job) => job.singleton_key === key);
}

async function waitsOf(on: Database, key: string): Promise<number> {
  const { rows } = await on.db.execute<{ waits: number }>(sql`SELECT waits FROM connect_sync.parent_wait WHERE record_key = ${key}`);
  return rows[0]?.waits ?? 0;
}

describe('a job whose parent never arrives', () => {
  it('waits without spending executions until the time bound, then fails into the dead-letter queue with one error line', async () => {
    const school = await schoolInsert(database);
    const role = await roleInsert(database, { schoolId: school.id });
    await mirrorRowInsert(database, editor, school.id, { synced: true });
    await database.db.transaction((tx) => sync.enqueue(contactEditorAffiliation, { roleId: role.id }, { tx }));

    const key = String(role.id);
    const failed = await waitFor('the job to fail for good', async () =>
      (await jobsOf(database, contactEditorAffiliation.queueName, key)).find((job) => job.state === 'failed'),
    { timeoutMs: 25_000 });
    // No execution was spent on waiting: the job that gave up had used none of its retries.
    expect(failed.retry_count).toBe(0);
    const message = `Contact not yet synced for pi_accounts_unique_id__c: ${role.userId}`;
    expect(failed.output).toMatchObject({ name: 'ParentNotSyncedError', message, parent: 'Contact' });
    const jobs = await jobsOf(database, contactEditorAffiliation.queueName, key);
    expect(jobs.filter((job) => job.state === 'completed').every((job) => job.output?.waiting === message && job.retry_count === 0)).toBe(true);
    expect(jobs.filter((job) => job.state !== 'completed')).toEqual([failed]);

    const dead = (await jobsRead(database, deadLetterQueue)).filter((job) => job.data.roleId === key);
    expect(dead).toEqual([expect.objectContaining({ source_name: contactEditorAffiliation.queueName, state: 'created' })]);

    const gaveUp = captured.lines.filter((line) => line.level === 50 && line.recordId === key);
    expect(gaveUp).toHaveLength(1);
    expect(gaveUp[0]).toMatchObject({ jobId: failed.id, queue: 'salesforce-sync.role', parent: 'Contact' });
    expect(gaveUp[0]?.waitedSeconds).toBeGreaterThanOrEqual(parentWaitMaxSecondsDefault);
    expect(gaveUp[0]?.msg).toMatch(new RegExp(`^Role ${key} gave up on Contact_Editor_Affiliation__c after waiting [\\d.]+ h \\(\\d+ waits\\): ${message}$`));
    expect(await mirrorRowRead(database, contactEditorAffiliation, key)).toBeUndefined();
    const { rows } = await database.db.execute(sql`SELECT gave_up_at IS NOT NULL AS gave_up FROM connect_sync.parent_wait WHERE record_key = ${key}`);
    expect(rows).toEqual([{ gave_up: true }]);

    // Redriven from the dead-letter queue, the job starts a wait of its own rather than giving up at once.
    await boss.redrive(deadLetterQueue, { sourceName: contactEditorAffiliation.queueName });
    const redriven = await waitFor('the redriven job to wait', async () =>
      (await jobsOf(database, contactEditorAffiliation.queueName, key)).find((job) => job.output?.waiting !== undefined && job.output.waits === 1 && job.id !== jobs[0]?.id),
    );
    expect(redriven).toMatchObject({ state: 'completed', retry_count: 0 });
  });

  it('ends every job of the record waiting together, rather than starting the clock again for the second', async () => {
    const school = await schoolInsert(database);
    const role = await roleInsert(database, { schoolId: school.id });
    await mirrorRowInsert(database, editor, school.id, { synced: true });
    const key = String(role.id);
    await database.db.transaction((tx) => sync.enqueue(contactEditorAffiliation, { roleId: role.id }, { tx }));
    await waitFor('the first job to wait', async () => (await waitsOf(database, key)) > 0);
    // A second sender (pg-boss directly) names the same record with the id as a number: not an
    // identical job (one still ready to run would be coalesced into the first), so two jobs of one
    // record wait.
    await boss.send(contactEditorAffiliation.queueName, { roleId: role.id }, { singletonKey: key });
    const failed = await waitFor('both jobs to give up', async () => {
      const jobs = (await jobsOf(database, contactEditorAffiliation.queueName, key)).filter((job) => job.state === 'failed');
      return jobs.length === 2 && jobs;
    }, { timeoutMs: 25_000 });
    const lines = captured.lines.filter((line) => line.level === 50 && line.recordId === key);
    expect(lines.map((line) => line.jobId).sort()).toEqual(failed.map((job) => job.id).sort());
    // One wait, one count: the second job's give-up continues the first's count instead of starting again.
    const [first, second] = lines.map((line) => line.waits as number);
    expect(second).toBeGreaterThan(first!);
  });
});

describe('a parent that arrives late', () => {
  it('a wait longer than ten backoff steps does not exhaust the job: it lands when the parent comes', async () => {
    // Ten backoff steps take about 1.5 s here; the bound is 100 times the default (about 160 s).
    const late = await testSyncWorker({ timeScale: 0.0001, parentWaitMaxSeconds: 100 * parentWaitMaxSecondsDefault });
    const school = await schoolInsert(late.database);
    const role = await roleInsert(late.database, { schoolId: school.id });
    await mirrorRowInsert(late.database, editor, school.id, { synced: true });
    await late.database.db.transaction((tx) => late.sync.enqueue(contactEditorAffiliation, { roleId: role.id }, { tx }));
    const key = String(role.id);

    await waitFor('more than ten waits', async () => (await waitsOf(late.database, key)) > 10, { timeoutMs: 25_000 });
    await mirrorRowInsert(late.database, contact, role.userId, { synced: true });
    const written = await waitFor('the affiliation to be written', () => mirrorRowRead(late.database, contactEditorAffiliation, key));
    expect(written).toMatchObject({ contact__r__pi_accounts_unique_id__c: role.userId });
    await waitFor('its job to complete', async () => (await jobsOf(late.database, contactEditorAffiliation.queueName, key)).some((job) => job.output?.written));
    const jobs = await jobsOf(late.database, contactEditorAffiliation.queueName, key);
    expect(jobs.filter((job) => job.state === 'failed' || job.state === 'retry')).toEqual([]);
    expect(jobs.every((job) => job.retry_count === 0)).toBe(true);
    expect(jobs.filter((job) => job.output?.waiting !== undefined).length).toBeGreaterThan(10);
    expect(await waitsOf(late.database, key)).toBe(0);
  });
});

describe('jobs that cannot succeed', () => {
  it('dead-letters a malformed payload and a missing record at once, and the worker goes on', async () => {
    const malformed = await boss.send(editor.queueName, { schoolID: 'x' });
    const missingSchool = randomUUID();
    const missing = await boss.send(editor.queueName, { schoolId: missingSchool }, { singletonKey: missingSchool });
    const school = await schoolInsert(database);
    await boss.send(editor.queueName, { schoolId: school.id, isCreate: true }, { singletonKey: school.id });

    await waitFor('the good job to land', () => mirrorRowRead(database, editor, school.id));
    for (const id of [malformed, missing]) {
      const job = await waitFor('the bad job to fail', async () =>
        (await jobsRead(database, editor.queueName)).find((candidate) => candidate.id === id && candidate.state === 'failed'),
      );
      expect(job.retry_count).toBe(0);
    }
    const jobs = await jobsRead(database, editor.queueName);
    expect(jobs.find((job) => job.id === malformed)?.output).toMatchObject({
      name: 'PayloadInvalidError',
      message: expect.stringMatching(/^Invalid payload for salesforce-sync.school \(.*Unrecognized key: "schoolID".*\); expected/),
    });
    expect(jobs.find((job) => job.id === missing)?.output).toMatchObject({ name: 'RecordNotFoundError' });
    const dead = await jobsRead(database, deadLetterQueue);
    expect(dead.filter((job) => job.source_name === editor.queueName).map((job) => job.data)).toEqual(
      expect.arrayContaining([{ schoolID: 'x' }, { schoolId: missingSchool }]),
    );
    const errorLines = captured.lines.filter((line) => line.level === 50 && (line.jobId === malformed || line.jobId === missing));
    expect(errorLines).toHaveLength(2);
  });
});

describe('syncing switched off', () => {
  it('completes a job without writing and without retrying it', async () => {
    const offDatabase = await testDatabase();
    const offBoss = await testBoss(offDatabase);
    await syncWorkStart(offBoss, offDatabase.db, editorObjectSet, captured.log, { enabled: false, pollingIntervalSeconds: 0.5, only: [contact] });
    const school = await schoolInsert(offDatabase);
    await offBoss.send(contact.queueName, { schoolId: school.id }, { singletonKey: school.id });
    const job = await waitFor('the job to be discarded', async () => {
      const found = (await jobsRead(offDatabase, contact.queueName)).find((candidate) => candidate.singleton_key === school.id);
      return found?.state === 'completed' && found;
    });
    expect(job).toMatchObject({ retry_count: 0, output: { discarded: syncOffReason } });
    expect(await mirrorRowRead(offDatabase, contact, school.creatorId)).toBeUndefined();
  });
});

describe('one record, many jobs', () => {
  it('never runs two jobs for the same record at once', async () => {
    const key = randomUUID();
    const queue = 'salesforce-sync.school-class';
    await boss.send(queue, { schoolClassId: key }, { singletonKey: key, startAfter: 3600 });
    await boss.send(queue, { schoolClassId: key }, { singletonKey: key, startAfter: 3600 });
    const other = randomUUID();
    await boss.send(queue, { schoolClassId: other }, { singletonKey: other, startAfter: 3600 });
    const first = await boss.fetch(queue, { batchSize: 10, ignoreStartAfter: true });
    expect(first.map((job) => job.data)).toEqual(expect.arrayContaining([{ schoolClassId: key }, { schoolClassId: other }]));
    expect(first).toHaveLength(2);
    // While the first job for `key` is active, its second job is not handed out.
    expect(await boss.fetch(queue, { batchSize: 10, ignoreStartAfter: true })).toEqual([]);
    await boss.complete(queue, first.map((job) => job.id));
    const second = await boss.fetch(queue, { batchSize: 10, ignoreStartAfter: true });
    expect(second.map((job) => job.data)).toEqual([{ schoolClassId: key }]);
    await boss.complete(queue, second.map((job) => job.id));
  });
});
