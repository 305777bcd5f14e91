/**
 * Backfill over the editor's objects: archived staff roles are included on purpose (the original
 * read the default scope and left their OffboardedAt__c out of Salesforce), and lessons outside a
 * class are left out as their jobs would skip them.
 */
import { describe, expect, it } from 'vitest';
import { contactEditorAffiliation } from '../../src/editor/objects/contact-editor-affiliation.ts';
import { contact } from '../../src/editor/objects/contact.ts';
import { editor } from '../../src/editor/objects/editor.ts';
import { lesson } from '../../src/editor/objects/lesson.ts';
import { backfillRun } from '../../src/ops/backfill.ts';
import { syncBatch } from '../../src/sync/sync-batch.ts';
import { testDatabase } from '../support/database.ts';
import { editorObjectSet } from '../support/editor.ts';
import { jobsRead, testBoss } from '../support/queue.ts';
import { lessonInsert, mirrorRowInsert, mirrorRowRead, roleInsert, schoolClassInsert, schoolInsert } from '../support/records.ts';

const database = await testDatabase();
const boss = await testBoss(database);

describe('backfill of the editor objects', () => {
  it("enqueues archived staff roles too, and their job writes OffboardedAt__c", async () => {
    const school = await schoolInsert(database);
    const archivedAt = new Date('2026-06-05T12:00:00Z');
    const archived = await roleInsert(database, { schoolId: school.id, role: 'teacher', archivedAt });
    const current = await roleInsert(database, { schoolId: school.id, role: 'owner' });
    await roleInsert(database, { schoolId: school.id, role: 'student' });

    expect(await backfillRun(database, boss, contactEditorAffiliation)).toMatchObject({ records: 2, enqueued: 2 });
    const jobs = await jobsRead(database, contactEditorAffiliation.queueName);
    expect(jobs.map((job) => job.singleton_key).sort()).toEqual([String(archived.id), String(current.id)].sort());

    await mirrorRowInsert(database, editor, school.id, { synced: true });
    await mirrorRowInsert(database, contact, archived.userId, { synced: true });
    const job = jobs.find((candidate) => candidate.singleton_key === String(archived.id))!;
    const outcomes = await syncBatch(database.db, editorObjectSet, contactEditorAffiliation, [{ id: job.id, data: job.data }], { enabled: true });
    expect(outcomes.get(job.id)).toMatchObject({ status: 'written' });
    expect((await mirrorRowRead(database, contactEditorAffiliation, String(archived.id)))?.offboardedat__c).toBe('2026-06-05 12:00:00');
  });

  it('enqueues only lessons set in a class', async () => {
    const school = await schoolInsert(database);
    const schoolClass = await schoolClassInsert(database, { schoolId: school.id });
    const inClass = await lessonInsert(database, { schoolId: school.id, schoolClassId: schoolClass.id });
    await lessonInsert(database, { schoolId: school.id });
    expect(await backfillRun(database, boss, lesson)).toMatchObject({ records: 1, enqueued: 1 });
    expect((await jobsRead(database, lesson.queueName)).map((job) => job.data)).toEqual([{ lessonId: inClass.id }]);
  });
});
