/**
 * A class, its teacher and a lesson through the sync workers and the Connect stand-in: each row
 * is written only once its parents are in Salesforce, so none fails on a lookup, and the
 * stand-in resolves every lookup (the class teacher's Contact_Teacher__c included).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { ConnectSim } from '../../src/connect-sim/connect-sim.ts';
import { classroom } from '../../src/editor/objects/classroom.ts';
import { contactClassroomAffiliation } from '../../src/editor/objects/contact-classroom-affiliation.ts';
import { lesson } from '../../src/editor/objects/lesson.ts';
import { classStudentAdd, classTeacherAdd, schoolClassCreate } from '../../src/editor/operations/classes.ts';
import { lessonCreate } from '../../src/editor/operations/lessons.ts';
import { schoolCreate } from '../../src/editor/operations/schools.ts';
import { editorObjectSet } from '../support/editor.ts';
import { mirrorRowRead } from '../support/records.ts';
import { testSyncWorker } from '../support/sync-worker.ts';
import { waitFor } from '../support/wait.ts';

const { database, app } = await testSyncWorker({ timeScale: 0.001 });
const sim = new ConnectSim(database, editorObjectSet, { timers: false });
afterAll(() => sim.stop());

/** Drains the stand-in until `check` holds: the workers and Connect take turns. */
function drainUntil<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  return waitFor(what, async () => {
    await sim.drain();
    return check();
  }, { timeoutMs: 30_000 });
}

describe('a class chain through Connect', () => {
  it('lands the class, its teacher and its lesson with every lookup resolved and none failed', async () => {
    const ownerId = randomUUID();
    const teacherId = randomUUID();
    sim.contacts.schedule(ownerId, { lagSeconds: 0 });
    sim.contacts.schedule(teacherId, { lagSeconds: 0 });
    // All in quick succession, as a teacher setting up a class would: the workers order them.
    const school = await schoolCreate(app, { name: 'Gurnard Primary', creatorId: ownerId }, [
      { userId: ownerId, role: 'owner' },
      { userId: teacherId, role: 'teacher' },
    ]);
    const schoolClass = await schoolClassCreate(app, { schoolId: school.id, name: 'Year 5 Coding' });
    const teacher = await classTeacherAdd(app, { schoolClassId: schoolClass.id, teacherId });
    await classStudentAdd(app, { schoolClassId: schoolClass.id, studentId: randomUUID() });
    const set = await lessonCreate(app, { schoolId: school.id, schoolClassId: schoolClass.id, userId: teacherId, name: 'Sprites', visibility: 'students' }, { name: 'Moving cats', projectType: 'scratch' });

    const affiliation = await drainUntil('the class teacher in Salesforce', async () => {
      const row = await mirrorRowRead(database, contactClassroomAffiliation, teacher.id);
      return row?.sfid && row.contact_teacher__c && row.classroom__c ? row : undefined;
    });
    expect(affiliation).toMatchObject({ classroom__r__classroomuuid__c: schoolClass.id, contact_teacher__r__pi_accounts_unique_id__c: teacherId });
    const lessonRow = await drainUntil('the lesson in Salesforce with its count', async () => {
      const row = await mirrorRowRead(database, lesson, set.id);
      return row?.sfid && row.classroom__c && row.numberofassignedprojects__c === 1 ? row : undefined;
    });
    expect(lessonRow).toMatchObject({ lessontitle__c: 'Sprites', teacherprojecttitle__c: 'Moving cats' });
    expect(await mirrorRowRead(database, classroom, schoolClass.id)).toMatchObject({ classroomtitle__c: 'Year 5 Coding', numberofmembers__c: 1 });

    const { rows } = await database.pool.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM (
         SELECT _hc_lastop FROM salesforce.classroom__c UNION ALL SELECT _hc_lastop FROM salesforce.contact_classroom_affiliation__c
         UNION ALL SELECT _hc_lastop FROM salesforce.lesson__c) rows WHERE _hc_lastop = 'FAILED'`,
    );
    expect(rows[0]?.count).toBe(0);
  });
});
