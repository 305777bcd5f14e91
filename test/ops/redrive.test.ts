/**
 * Redrive: once the upstream Contact finally exists, the jobs that gave up waiting for it go back
 * to their queue with fresh executions, and the affiliation lands.
 */
import { describe, expect, it } from 'vitest';
import { contactEditorAffiliation } from '../../src/editor/objects/contact-editor-affiliation.ts';
import { contact } from '../../src/editor/objects/contact.ts';
import { editor } from '../../src/editor/objects/editor.ts';
import { redrivePreview, redriveRun } from '../../src/ops/redrive.ts';
import { deadLetterQueue } from '../../src/queue/queues.ts';
import { jobsRead } from '../support/queue.ts';
import { mirrorRowInsert, mirrorRowRead, roleInsert, schoolInsert } from '../support/records.ts';
import { testSyncWorker } from '../support/sync-worker.ts';
import { waitFor } from '../support/wait.ts';

const { database, boss, sync } = await testSyncWorker({ timeScale: 0.0001 });

describe('redrive', () => {
  it('sends a job that gave up back to its queue, where it lands once its parent exists', async () => {
    const school = await schoolInsert(database);
    const role = await roleInsert(database, { schoolId: school.id });
    await mirrorRowInsert(database, editor, school.id, { synced: true });
    await database.db.transaction((tx) => sync.enqueue(contactEditorAffiliation, { roleId: role.id }, { tx }));
    await waitFor('the job to give up', async () => (await jobsRead(database, deadLetterQueue)).length === 1, { timeoutMs: 25_000 });

    const preview = await redrivePreview(boss, [contactEditorAffiliation, editor]);
    expect(preview.get(contactEditorAffiliation.queueName)?.total).toBe(1);
    expect(preview.get(editor.queueName)?.total).toBe(0);

    // The upstream pipeline finally creates the Contact; a person redrives.
    await mirrorRowInsert(database, contact, role.userId, { synced: true });
    expect(await redriveRun(boss, [contactEditorAffiliation])).toBe(1);
    const redriven = (await jobsRead(database, contactEditorAffiliation.queueName)).filter((job) => job.singleton_key === String(role.id));
    expect(redriven.map((job) => job.state)).toEqual(expect.arrayContaining(['failed']));
    await waitFor('the affiliation to land', () => mirrorRowRead(database, contactEditorAffiliation, String(role.id)));
    expect(await redriveRun(boss, [contactEditorAffiliation])).toBe(0);
  });
});
