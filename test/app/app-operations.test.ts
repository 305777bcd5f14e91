/**
 * The app's operations write their rows and enqueue the right sync jobs in one transaction; run
 * through the worker, archiving a school offboards its staff in Salesforce and a class's counts
 * follow its students.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { roleArchive, roleUpdate } from '../../src/editor/operations/roles.ts';
import { classStudentAdd, classStudentRemove, schoolClassCreate } from '../../src/editor/operations/classes.ts';
import { lessonCreate } from '../../src/editor/operations/lessons.ts';
import { schoolArchive, schoolCreate, SchoolHasStudentsError, schoolUpdate } from '../../src/editor/operations/schools.ts';
import { classroom } from '../../src/editor/objects/classroom.ts';
import { lesson } from '../../src/editor/objects/lesson.ts';
import { contactEditorAffiliation } from '../../src/editor/objects/contact-editor-affiliation.ts';
import { contact } from '../../src/editor/objects/contact.ts';
import { editor } from '../../src/editor/objects/editor.ts';
import { jobsRead } from '../support/queue.ts';
import { mirrorRowInsert, mirrorRowRead, mirrorRowSync } from '../support/records.ts';
import { testSyncWorker } from '../support/sync-worker.ts';
import { waitFor } from '../support/wait.ts';

const { database, app } = await testSyncWorker({ timeScale: 0.001 });

async function roleJobs(roleId: number) {
  return (await jobsRead(database, contactEditorAffiliation.queueName)).filter((job) => job.singleton_key === String(roleId));
}

describe('a school and its first members, created in one transaction', () => {
  it('enqueues the school, contact and staff role jobs, none for students, and syncs them once parents land', async () => {
    const ownerId = randomUUID();
    const teacherId = randomUUID();
    const school = await schoolCreate(app, { name: 'Gurnard Primary', creatorId: ownerId }, [
      { userId: ownerId, role: 'owner' },
      { userId: teacherId, role: 'teacher' },
      { userId: randomUUID(), role: 'student' },
    ]);
    const { rows: members } = await database.pool.query<{ id: number; role: string }>(
      'SELECT id::int, role FROM roles WHERE school_id = $1 ORDER BY id',
      [school.id],
    );
    expect(members.map((member) => member.role)).toEqual(['owner', 'teacher', 'student']);
    for (const member of members) expect(await roleJobs(member.id)).toHaveLength(member.role === 'student' ? 0 : 1);

    // The Editor__c lands from the school job; Connect gives it an sfid; the Contacts arrive upstream.
    await waitFor('the Editor__c row', () => mirrorRowRead(database, editor, school.id));
    await mirrorRowSync(database, editor, school.id);
    await mirrorRowInsert(database, contact, ownerId, { synced: true });
    await mirrorRowInsert(database, contact, teacherId, { synced: true });
    for (const member of members.filter((m) => m.role !== 'student')) {
      await waitFor(`affiliation ${member.id}`, () => mirrorRowRead(database, contactEditorAffiliation, String(member.id)), { timeoutMs: 25_000 });
    }
  });
});

describe('archiving a school', () => {
  it('archives its staff roles and syncs each as offboarded, once the school has no students', async () => {
    const ownerId = randomUUID();
    const studentId = randomUUID();
    const school = await schoolCreate(app, { name: 'Thornton Academy', creatorId: ownerId }, [
      { userId: ownerId, role: 'owner' },
      { userId: studentId, role: 'student' },
    ]);
    await mirrorRowInsert(database, contact, ownerId, { synced: true });
    await waitFor('the Editor__c row', () => mirrorRowRead(database, editor, school.id));
    await mirrorRowSync(database, editor, school.id);

    await expect(schoolArchive(app, school.id)).rejects.toThrow(SchoolHasStudentsError);
    await database.pool.query(`DELETE FROM roles WHERE school_id = $1 AND role = 'student'`, [school.id]);
    await schoolArchive(app, school.id);
    const { rows } = await database.pool.query<{ id: number; role: string; archived: boolean }>(
      'SELECT id::int, role, archived_at IS NOT NULL AS archived FROM roles WHERE school_id = $1 ORDER BY id',
      [school.id],
    );
    expect(rows.map(({ role, archived }) => ({ role, archived }))).toEqual([{ role: 'owner', archived: true }]);
    const ownerRole = rows[0]!.id;
    const affiliation = await waitFor('the offboarded affiliation', async () => {
      const row = await mirrorRowRead(database, contactEditorAffiliation, String(ownerRole));
      return row?.offboardedat__c ? row : undefined;
    }, { timeoutMs: 25_000 });
    expect(affiliation.roletype__c).toBe('owner');
    await waitFor('the discarded Editor__c', async () => (await mirrorRowRead(database, editor, school.id))?.discardedat__c ?? undefined);
  });
});

describe('a class through the worker', () => {
  it('keeps its member count and its lessons\' assigned counts in step as students join and leave', async () => {
    const ownerId = randomUUID();
    const school = await schoolCreate(app, { name: 'Cowes Enterprise', creatorId: ownerId }, [{ userId: ownerId, role: 'owner' }]);
    await waitFor('the Editor__c row', () => mirrorRowRead(database, editor, school.id));
    await mirrorRowSync(database, editor, school.id);
    const schoolClass = await schoolClassCreate(app, { schoolId: school.id, name: 'Year 5 Coding' });
    await waitFor('the Classroom__c row', () => mirrorRowRead(database, classroom, schoolClass.id));
    await mirrorRowSync(database, classroom, schoolClass.id);
    const seen = await lessonCreate(app, { schoolId: school.id, schoolClassId: schoolClass.id, userId: ownerId, name: 'Sprites', visibility: 'students' }, { name: 'Moving cats', projectType: 'scratch' });

    const students = [];
    for (let index = 0; index < 3; index++) students.push(await classStudentAdd(app, { schoolClassId: schoolClass.id, studentId: randomUUID() }));
    await classStudentRemove(app, students[0]!.id);
    await waitFor('2 members and 2 assigned', async () => {
      const [classRow, lessonRow] = [await mirrorRowRead(database, classroom, schoolClass.id), await mirrorRowRead(database, lesson, seen.id)];
      return classRow?.numberofmembers__c === 2 && lessonRow?.numberofassignedprojects__c === 2 ? true : undefined;
    }, { timeoutMs: 25_000 });
    expect(await mirrorRowRead(database, lesson, seen.id)).toMatchObject({ lessontitle__c: 'Sprites', teacherprojecttitle__c: 'Moving cats', teacherprojecttype__c: 'scratch' });
  });
});

describe('school and role updates', () => {
  it('enqueue the matching jobs: school and contact for a school, the affiliation for a staff role', async () => {
    const ownerId = randomUUID();
    const school = await schoolCreate(app, { name: 'Ryde High', creatorId: ownerId }, [{ userId: ownerId, role: 'teacher' }]);
    await schoolUpdate(app, school.id, { verifiedAt: new Date() });
    const schoolJobs = (await jobsRead(database, editor.queueName)).filter((job) => job.singleton_key === school.id);
    expect(schoolJobs.map((job) => job.data)).toEqual([
      { schoolId: school.id, isCreate: true },
      { schoolId: school.id, isCreate: false },
    ]);
    expect((await jobsRead(database, contact.queueName)).filter((job) => job.singleton_key === school.id)).toHaveLength(2);

    const { rows } = await database.pool.query<{ id: number }>('SELECT id::int FROM roles WHERE school_id = $1', [school.id]);
    const roleId = rows[0]!.id;
    await roleUpdate(app, roleId, { role: 'owner' });
    await roleArchive(app, roleId);
    expect(await roleJobs(roleId)).toHaveLength(3);
  });
});
