/**
 * What the class, class teacher and lesson syncs write, run inline (no queue): every mapped field
 * with the app's values, the counts read in the batch's one query, the parent guard's order, and
 * no field the editor app does not sync.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { classroom } from '../../src/editor/objects/classroom.ts';
import { contactClassroomAffiliation } from '../../src/editor/objects/contact-classroom-affiliation.ts';
import { contact } from '../../src/editor/objects/contact.ts';
import { editor } from '../../src/editor/objects/editor.ts';
import { lesson } from '../../src/editor/objects/lesson.ts';
import { syncBatch } from '../../src/sync/sync-batch.ts';
import { testDatabase } from '../support/database.ts';
import { mirrorTime, syncOneOn } from '../support/sync-inline.ts';
import { editorObjectSet } from '../support/editor.ts';
import {
  classStudentsInsert,
  classTeacherInsert,
  lessonInsert,
  lessonProjectInsert,
  mirrorRowInsert,
  mirrorRowRead,
  mirrorRowSync,
  schoolClassInsert,
  schoolInsert,
  schoolProjectInsert,
} from '../support/records.ts';

const database = await testDatabase();

const syncOne = syncOneOn(database);

const at = (iso: string) => new Date(iso);

describe('classes and lessons', () => {
  // LastSyncDate__c is the time of the sync: between just before the job and just after.
  async function databaseNow(): Promise<Date> {
    const { rows } = await database.pool.query<{ now: string }>(`SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS now`);
    return new Date(rows[0]!.now);
  }
  const mirrorDate = (value: unknown) => new Date(`${String(value).replace(' ', 'T')}Z`);

  it('writes Classroom__c with its title and student count, and no field the app does not sync', async () => {
    const school = await schoolInsert(database);
    await mirrorRowInsert(database, editor, school.id, { synced: true });
    const schoolClass = await schoolClassInsert(database, {
      schoolId: school.id,
      name: 'Year 5 Coding',
      createdAt: at('2026-09-01T08:00:00Z'),
      updatedAt: at('2026-09-02T08:00:00Z'),
    });
    await classStudentsInsert(database, schoolClass.id, 3);
    const other = await schoolClassInsert(database, { schoolId: school.id, name: 'Year 6' });
    await classStudentsInsert(database, other.id, 2);

    const before = await databaseNow();
    expect(await syncOne(classroom, { schoolClassId: schoolClass.id })).toMatchObject({ status: 'written' });
    const after = await databaseNow();
    const row = await mirrorRowRead(database, classroom, schoolClass.id);
    expect(row).toMatchObject({
      classroomuuid__c: schoolClass.id,
      classroomtitle__c: 'Year 5 Coding',
      editor__r__editoruuid__c: school.id,
      numberofmembers__c: 3,
      createdat__c: mirrorTime('2026-09-01T08:00:00Z'),
      updatedat__c: mirrorTime('2026-09-02T08:00:00Z'),
      sfid: null,
    });
    expect(mirrorDate(row?.lastsyncdate__c).getTime()).toBeGreaterThanOrEqual(before.getTime() - 1);
    expect(mirrorDate(row?.lastsyncdate__c).getTime()).toBeLessThanOrEqual(after.getTime() + 1);
    expect(row).not.toHaveProperty('name');
    expect(row).not.toHaveProperty('description__c');
  });

  it('counts a class without students as 0 members, and cuts a long title', async () => {
    const school = await schoolInsert(database);
    await mirrorRowInsert(database, editor, school.id, { synced: true });
    const schoolClass = await schoolClassInsert(database, { schoolId: school.id, name: 'c'.repeat(300) });
    await syncOne(classroom, { schoolClassId: schoolClass.id });
    expect(await mirrorRowRead(database, classroom, schoolClass.id)).toMatchObject({ numberofmembers__c: 0, classroomtitle__c: `${'c'.repeat(254)}…` });
  });

  it('writes Contact_Classroom_Affiliation__c keyed on its uuid, the teacher as contact_teacher', async () => {
    const school = await schoolInsert(database);
    const schoolClass = await schoolClassInsert(database, { schoolId: school.id });
    await mirrorRowInsert(database, classroom, schoolClass.id, { synced: true });
    const teacherId = randomUUID();
    await mirrorRowInsert(database, contact, teacherId, { synced: true });
    const teacher = await classTeacherInsert(database, {
      schoolClassId: schoolClass.id,
      teacherId,
      createdAt: at('2026-09-03T08:00:00Z'),
      updatedAt: at('2026-09-04T08:00:00Z'),
    });
    expect(await syncOne(contactClassroomAffiliation, { classTeacherId: teacher.id })).toMatchObject({ status: 'written' });
    const row = await mirrorRowRead(database, contactClassroomAffiliation, teacher.id);
    expect(row).toMatchObject({
      contactclassroomaffiliationuuid__c: teacher.id,
      classroom__r__classroomuuid__c: schoolClass.id,
      contact_teacher__r__pi_accounts_unique_id__c: teacherId,
      createdat__c: mirrorTime('2026-09-03T08:00:00Z'),
      updatedat__c: mirrorTime('2026-09-04T08:00:00Z'),
    });
    expect(row).not.toHaveProperty('affiliation_id__c');
    expect(row).not.toHaveProperty('contact__r__pi_accounts_unique_id__c');
  });

  it('makes a class teacher wait for its Classroom__c first, then for the Contact', async () => {
    const school = await schoolInsert(database);
    const schoolClass = await schoolClassInsert(database, { schoolId: school.id });
    const teacher = await classTeacherInsert(database, { schoolClassId: schoolClass.id });
    // Neither parent exists: the class is named first.
    expect(await syncOne(contactClassroomAffiliation, { classTeacherId: teacher.id })).toMatchObject({
      status: 'waiting',
      error: expect.objectContaining({ message: `Classroom__c not yet synced for classroomuuid__c: ${schoolClass.id}` }),
    });
    // The class is there but Salesforce has not acknowledged it yet.
    await mirrorRowInsert(database, classroom, schoolClass.id, { synced: false });
    expect(await syncOne(contactClassroomAffiliation, { classTeacherId: teacher.id })).toMatchObject({
      status: 'waiting',
      error: expect.objectContaining({ message: expect.stringContaining(`Classroom__c not yet synced for classroomuuid__c: ${schoolClass.id}`) }),
    });
    await mirrorRowSync(database, classroom, schoolClass.id);
    expect(await syncOne(contactClassroomAffiliation, { classTeacherId: teacher.id })).toMatchObject({
      status: 'waiting',
      error: expect.objectContaining({ message: `Contact not yet synced for pi_accounts_unique_id__c: ${teacher.teacherId}` }),
    });
    expect(await mirrorRowRead(database, contactClassroomAffiliation, teacher.id)).toBeUndefined();
    await mirrorRowInsert(database, contact, teacher.teacherId, { synced: true });
    expect(await syncOne(contactClassroomAffiliation, { classTeacherId: teacher.id })).toMatchObject({ status: 'written' });
  });

  it('writes Lesson__c with its project, assigned and completed counts, and no field the app does not sync', async () => {
    const school = await schoolInsert(database);
    const schoolClass = await schoolClassInsert(database, { schoolId: school.id });
    await mirrorRowInsert(database, classroom, schoolClass.id, { synced: true });
    await classStudentsInsert(database, schoolClass.id, 4);
    const inClass = await lessonInsert(database, {
      schoolId: school.id,
      schoolClassId: schoolClass.id,
      name: 'Sprites',
      visibility: 'students',
      submittedProjectsCount: 2,
      archivedAt: at('2026-09-10T08:00:00Z'),
      createdAt: at('2026-09-05T08:00:00Z'),
      updatedAt: at('2026-09-06T08:00:00Z'),
    });
    const project = await lessonProjectInsert(database, inClass, { name: 'Moving cats', projectType: 'scratch' });
    for (const finished of [true, true, false]) await schoolProjectInsert(database, project, { schoolId: school.id, finished });
    // Another lesson's finished work is not this lesson's.
    const elsewhere = await lessonInsert(database, { schoolId: school.id, schoolClassId: schoolClass.id, visibility: 'students' });
    await schoolProjectInsert(database, await lessonProjectInsert(database, elsewhere), { schoolId: school.id, finished: true });

    const before = await databaseNow();
    expect(await syncOne(lesson, { lessonId: inClass.id })).toMatchObject({ status: 'written' });
    const row = await mirrorRowRead(database, lesson, inClass.id);
    expect(row).toMatchObject({
      lesson_uuid__c: inClass.id,
      classroom__r__classroomuuid__c: schoolClass.id,
      lessontitle__c: 'Sprites',
      teacherprojecttitle__c: 'Moving cats',
      teacherprojecttype__c: 'scratch',
      numberofassignedprojects__c: 4,
      // 2 submitted + 2 finished school projects.
      numberofcompletedprojects__c: 4,
      createdat__c: mirrorTime('2026-09-05T08:00:00Z'),
      updatedat__c: mirrorTime('2026-09-06T08:00:00Z'),
    });
    expect(mirrorDate(row?.lastsyncdate__c).getTime()).toBeGreaterThanOrEqual(before.getTime() - 1);
    for (const unsynced of ['name', 'description__c', 'visibility__c', 'archivedat__c']) expect(row).not.toHaveProperty(unsynced);
  });

  it('counts 0 assigned for a lesson students do not see, and leaves the project fields empty without a project', async () => {
    const school = await schoolInsert(database);
    const schoolClass = await schoolClassInsert(database, { schoolId: school.id });
    await mirrorRowInsert(database, classroom, schoolClass.id, { synced: true });
    await classStudentsInsert(database, schoolClass.id, 5);
    for (const visibility of ['private', 'teachers', 'public'] as const) {
      const hidden = await lessonInsert(database, { schoolId: school.id, schoolClassId: schoolClass.id, visibility });
      expect(await syncOne(lesson, { lessonId: hidden.id })).toMatchObject({ status: 'written' });
      expect(await mirrorRowRead(database, lesson, hidden.id)).toMatchObject({
        numberofassignedprojects__c: 0,
        numberofcompletedprojects__c: 0,
        teacherprojecttitle__c: null,
        teacherprojecttype__c: null,
      });
    }
  });

  it('reads a whole batch of lessons, each with its own counts', async () => {
    const school = await schoolInsert(database);
    const classes = [await schoolClassInsert(database, { schoolId: school.id }), await schoolClassInsert(database, { schoolId: school.id })];
    for (const [index, schoolClass] of classes.entries()) {
      await mirrorRowInsert(database, classroom, schoolClass.id, { synced: true });
      await classStudentsInsert(database, schoolClass.id, index + 1);
    }
    const batch = [
      await lessonInsert(database, { schoolClassId: classes[0]!.id, visibility: 'students', submittedProjectsCount: 1 }),
      await lessonInsert(database, { schoolClassId: classes[1]!.id, visibility: 'students' }),
      await lessonInsert(database, { schoolClassId: classes[1]!.id, visibility: 'private', submittedProjectsCount: 3 }),
    ];
    const outcomes = await syncBatch(database.db, editorObjectSet, lesson, batch.map((record, index) => ({ id: `job-${index}`, data: { lessonId: record.id } })), { enabled: true });
    expect([...outcomes.values()].map((outcome) => outcome.status)).toEqual(['written', 'written', 'written']);
    const counts = [];
    for (const record of batch) {
      const row = await mirrorRowRead(database, lesson, record.id);
      counts.push([row?.numberofassignedprojects__c, row?.numberofcompletedprojects__c]);
    }
    expect(counts).toEqual([
      [1, 1],
      [2, 0],
      [0, 3],
    ]);
  });

  it('skips a lesson outside any class', async () => {
    const own = await lessonInsert(database, { name: 'My project' });
    expect(await syncOne(lesson, { lessonId: own.id })).toMatchObject({ status: 'skipped', reason: 'lessons outside a class are not synced' });
    expect(await mirrorRowRead(database, lesson, own.id)).toBeUndefined();
  });

  it('makes a class wait for its school', async () => {
    const school = await schoolInsert(database);
    const schoolClass = await schoolClassInsert(database, { schoolId: school.id, name: 'Year 6' });
    expect(await syncOne(classroom, { schoolClassId: schoolClass.id })).toMatchObject({
      status: 'waiting',
      error: expect.objectContaining({ message: `Editor__c not yet synced for editoruuid__c: ${school.id}` }),
    });
    expect(await mirrorRowRead(database, classroom, schoolClass.id)).toBeUndefined();
  });
});
