/**
 * The waker: a child waiting on its Editor__c runs as soon as the Editor__c has an sfid, long
 * before its next backoff step (18 s on the real schedule), without spending an execution; and it
 * keeps working when Heroku Connect drops and recreates the mirror table.
 */
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { mirrorTablesCreate } from '../../src/connect-sim/mirror-tables.ts';
import { contactEditorAffiliation } from '../../src/editor/objects/contact-editor-affiliation.ts';
import { contact } from '../../src/editor/objects/contact.ts';
import { editor } from '../../src/editor/objects/editor.ts';
import { parentWakerStart } from '../../src/queue/parent-waker.ts';
import { editorObjectSet } from '../support/editor.ts';
import { logCapture } from '../support/log.ts';
import { jobsRead } from '../support/queue.ts';
import { mirrorRowInsert, mirrorRowRead, mirrorRowSync, roleInsert, schoolInsert } from '../support/records.ts';
import { testSyncWorker } from '../support/sync-worker.ts';
import { waitFor } from '../support/wait.ts';

// The real schedule: after the first wait the job re-runs in 3 s, after the second in 18 s.
const captured = logCapture('warn');
const { database, boss, sync } = await testSyncWorker({ timeScale: 1 });
const waker = parentWakerStart(boss, database.db, editorObjectSet, captured.log, { intervalSeconds: 0.5 });
afterAll(() => waker.stop());

/** A role whose Contact is in Salesforce and whose Editor__c row has no sfid yet, with its job enqueued. */
async function roleWaitingOnEditor() {
  const school = await schoolInsert(database);
  const role = await roleInsert(database, { schoolId: school.id });
  await mirrorRowInsert(database, contact, role.userId, { synced: true });
  await mirrorRowInsert(database, editor, school.id, { synced: false });
  await database.db.transaction((tx) => sync.enqueue(contactEditorAffiliation, { roleId: role.id }, { tx }));
  return { school, role, key: String(role.id) };
}

async function waitsOf(key: string): Promise<number> {
  const { rows } = await database.db.execute<{ waits: number }>(sql`SELECT waits FROM connect_sync.parent_wait WHERE record_key = ${key}`);
  return rows[0]?.waits ?? 0;
}

async function roleJobs(key: string) {
  return (await jobsRead(database, contactEditorAffiliation.queueName)).filter((job) => job.singleton_key === key);
}

describe('a child waiting on its Editor__c', () => {
  it('is written within a few seconds of the sfid appearing, its executions unspent', async () => {
    const { school, key } = await roleWaitingOnEditor();
    // Twice waiting: the next backoff run is 18 s away.
    await waitFor('the second wait', async () => (await waitsOf(key)) >= 2);
    await mirrorRowSync(database, editor, school.id);

    await waitFor('the affiliation to be written', () => mirrorRowRead(database, contactEditorAffiliation, key), { timeoutMs: 5000 });
    await waitFor('its job to complete', async () => (await roleJobs(key)).some((job) => job.state === 'completed' && job.output?.written));
    const jobs = await roleJobs(key);
    expect(jobs.map((job) => job.retry_count)).toEqual(jobs.map(() => 0));
    expect(jobs.filter((job) => job.state !== 'completed')).toEqual([]);
    expect(jobs.at(-1)?.output).toEqual({ written: contactEditorAffiliation.name });
  });

  it('is still woken after Connect drops and recreates the mirror tables', async () => {
    const { school, key } = await roleWaitingOnEditor();
    await waitFor('the second wait', async () => (await waitsOf(key)) >= 2);

    // A mapping reload: the Editor__c table goes away for a while, then comes back with its rows.
    await database.pool.query('DROP TABLE salesforce.editor__c CASCADE');
    await waitFor('the waker to notice the table is gone', () => captured.lines.some((line) => line.msg.includes('could not check Editor__c')));
    await mirrorTablesCreate(database, editorObjectSet, captured.log);
    await mirrorRowInsert(database, editor, school.id, { synced: true });

    await waitFor('the affiliation to be written', () => mirrorRowRead(database, contactEditorAffiliation, key), { timeoutMs: 5000 });
    await waitFor('its job to complete', async () => (await roleJobs(key)).some((job) => job.state === 'completed' && job.output?.written));
    expect((await roleJobs(key)).every((job) => job.retry_count === 0 && job.state === 'completed')).toBe(true);
  });
});
