/**
 * Retries with a clear end: ten executions on the polynomial schedule, then failed, a copy in
 * the dead-letter queue and one error line naming the record. Jobs that cannot succeed give up at
 * once, and jobs that run while syncing is off are discarded.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contactEditorAffiliation } from '../../src/editor/objects/contact-editor-affiliation.ts';
import { contact } from '../../src/editor/objects/contact.ts';
import { editor } from '../../src/editor/objects/editor.ts';
import { deadLetterQueue } from '../../src/queue/queues.ts';
import { syncWorkStart } from '../../src/queue/sync-worker.ts';
import { testDatabase } from '../support/database.ts';
import { logCapture } from '../support/log.ts';
import { jobsRead, testBoss } from '../support/queue.ts';
import { mirrorRowInsert, mirrorRowRead, roleInsert, schoolInsert } from '../support/records.ts';
import { testSyncWorker } from '../support/sync-worker.ts';
import { waitFor } from '../support/wait.ts';
import { editorObjectSet } from '../support/editor.ts';

// The whole 4.3-hour schedule shrunk to about 1.5 s.
const captured = logCapture();
const { database, boss, sync } = await testSyncWorker({ timeScale: 0.0001, log: captured.log });

async function jobOf(queue: string, key: string) {
  return (await jobsRead(database, queue)).find((job) => job.singleton_key === key);
}

describe('a job whose parent never arrives', () => {
  it('runs exactly ten times, then fails into the dead-letter queue with one error line', async () => {
    const school = await schoolInsert(database);
    const role = await roleInsert(database, { schoolId: school.id });
    await mirrorRowInsert(database, editor, school.id, { synced: true });
    const jobId = await database.db.transaction((tx) => sync.enqueue(contactEditorAffiliation, { roleId: role.id }, { tx }));

    const failed = await waitFor('the job to fail for good', async () => {
      const job = await jobOf(contactEditorAffiliation.queueName, String(role.id));
      return job?.state === 'failed' && job;
    }, { timeoutMs: 25_000 });
    // retry_count counts retries: nine, so ten executions.
    expect(failed.retry_count).toBe(9);
    const message = `Contact not yet synced for pi_accounts_unique_id__c: ${role.userId}`;
    expect(failed.output).toMatchObject({ name: 'ParentNotSyncedError', message, parent: 'Contact' });

    const dead = (await jobsRead(database, deadLetterQueue)).find((job) => job.data.roleId === String(role.id));
    expect(dead).toMatchObject({ source_name: contactEditorAffiliation.queueName, state: 'created' });

    const gaveUp = captured.lines.filter((line) => line.level === 50 && line.jobId === jobId);
    expect(gaveUp).toHaveLength(1);
    expect(gaveUp[0]).toMatchObject({ recordId: String(role.id), executions: 10, queue: 'salesforce-sync.role' });
    expect(gaveUp[0]?.msg).toMatch(new RegExp(`^Role ${role.id} gave up on Contact_Editor_Affiliation__c after 10 executions over .*: ${message}$`));
    expect(await mirrorRowRead(database, contactEditorAffiliation, String(role.id))).toBeUndefined();
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
    expect(job).toMatchObject({ retry_count: 0, output: { discarded: 'SALESFORCE_ENABLED is not true' } });
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
