/**
 * The seed's four guard cases, through the real queue: a role whose Editor__c or Contact is not
 * in Salesforce leaves its job waiting (completed with what it waits for, a successor due later,
 * no execution spent) and writes no affiliation row; once both parents have an sfid, a later run
 * writes it.
 */
import { describe, expect, it } from 'vitest';
import { contactEditorAffiliation } from '../../src/editor/objects/contact-editor-affiliation.ts';
import { contact } from '../../src/editor/objects/contact.ts';
import { editor } from '../../src/editor/objects/editor.ts';
import { jobsRead } from '../support/queue.ts';
import { mirrorRowInsert, mirrorRowRead, mirrorRowSync, roleInsert, schoolInsert } from '../support/records.ts';
import { testSyncWorker } from '../support/sync-worker.ts';
import { waitFor } from '../support/wait.ts';

// Real schedule: the first retry comes 3 s (+15 %) after the first execution.
const { database, sync } = await testSyncWorker({ timeScale: 1 });

type ParentState = 'synced' | 'no sfid' | 'no row';

async function roleWithParents(editorState: ParentState, contactState: ParentState) {
  const school = await schoolInsert(database);
  const role = await roleInsert(database, { schoolId: school.id, role: 'owner' });
  if (editorState !== 'no row') await mirrorRowInsert(database, editor, school.id, { synced: editorState === 'synced' });
  if (contactState !== 'no row') await mirrorRowInsert(database, contact, role.userId, { synced: contactState === 'synced' });
  await database.db.transaction((tx) => sync.enqueue(contactEditorAffiliation, { roleId: role.id }, { tx }));
  return { school, role };
}

async function roleJobs(roleId: number) {
  const jobs = await jobsRead(database, contactEditorAffiliation.queueName);
  return jobs.filter((job) => job.singleton_key === String(roleId));
}

/** The first of the record's jobs that settled waiting on a parent. */
async function waitingJob(roleId: number) {
  return (await roleJobs(roleId)).find((job) => job.state === 'completed' && job.output?.waiting !== undefined);
}

describe('a role job whose parents are not in Salesforce', () => {
  const cases: [string, ParentState, ParentState, 'editor' | 'contact'][] = [
    ['Editor__c row without sfid', 'no sfid', 'synced', 'editor'],
    ['no Editor__c row', 'no row', 'synced', 'editor'],
    ['Contact row without sfid', 'synced', 'no sfid', 'contact'],
    ['no Contact row', 'synced', 'no row', 'contact'],
  ];

  it.concurrent.each(cases)('%s: waits, writes no affiliation, and lands once both parents are synced', async (_, editorState, contactState, waitsOn) => {
    const { school, role } = await roleWithParents(editorState, contactState);
    const message =
      waitsOn === 'editor'
        ? `Editor__c not yet synced for editoruuid__c: ${school.id}`
        : `Contact not yet synced for pi_accounts_unique_id__c: ${role.userId}`;
    const waiting = await waitFor('the job to wait', () => waitingJob(role.id));
    expect(waiting.output).toMatchObject({ waiting: message, name: 'ParentNotSyncedError', message });
    expect(waiting.retry_count).toBe(0);
    expect(await mirrorRowRead(database, contactEditorAffiliation, String(role.id))).toBeUndefined();

    // Salesforce accepts the parents: rows created where missing, sfids written back.
    for (const [object, state, id] of [
      [editor, editorState, school.id],
      [contact, contactState, role.userId],
    ] as const) {
      if (state === 'no row') await mirrorRowInsert(database, object, id, { synced: true });
      if (state === 'no sfid') await mirrorRowSync(database, object, id);
    }
    const done = await waitFor('a later run to write it', async () => (await roleJobs(role.id)).find((job) => job.output?.written !== undefined));
    // Waiting spent none of the executions real errors use.
    expect(done.retry_count).toBe(0);
    expect((await roleJobs(role.id)).filter((job) => job.state === 'failed' || job.state === 'retry')).toEqual([]);
    expect(await mirrorRowRead(database, contactEditorAffiliation, String(role.id))).toMatchObject({
      editor__r__editoruuid__c: school.id,
      contact__r__pi_accounts_unique_id__c: role.userId,
    });
  });

  it('checks the Editor__c before the Contact when both are missing', async () => {
    const { school, role } = await roleWithParents('no row', 'no row');
    const waiting = await waitFor('the job to wait', () => waitingJob(role.id));
    expect(waiting.output).toMatchObject({ message: `Editor__c not yet synced for editoruuid__c: ${school.id}`, mirrorRowExists: false });
  });
});
