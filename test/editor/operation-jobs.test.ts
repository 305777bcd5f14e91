/**
 * Which sync jobs each class, lesson and school operation enqueues: exactly the jobs the editor
 * app's callbacks send, in the operation's own transaction (a rolled-back operation leaves no
 * job), and none at all while syncing is off. No worker runs here, so every job stays queued.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { classStudents, classTeachers, lessons, projects, roles, schoolProjects, schools } from '../../src/editor/app-schema.ts';
import {
  classStudentAdd,
  classStudentRemove,
  classTeacherAdd,
  classTeacherRemove,
  schoolClassCreate,
  schoolClassDestroy,
  schoolClassUpdate,
} from '../../src/editor/operations/classes.ts';
import { lessonCreate, lessonUpdate, SchoolProjectTransitionError, schoolProjectUpdate } from '../../src/editor/operations/lessons.ts';
import { schoolArchive, schoolCreate, SchoolHasStudentsError } from '../../src/editor/operations/schools.ts';
import type { AppContext } from '../../src/editor/operations/app-context.ts';
import { syncEnqueuer, type SyncEnqueuer } from '../../src/queue/enqueue.ts';
import { testDatabase } from '../support/database.ts';
import { editorObjectSet } from '../support/editor.ts';
import { testBoss } from '../support/queue.ts';
import { classStudentsInsert, lessonInsert, lessonProjectInsert, schoolClassInsert, schoolInsert, schoolProjectInsert } from '../support/records.ts';

const database = await testDatabase();
const boss = await testBoss(database);
const app: AppContext = { db: database.db, sync: syncEnqueuer(editorObjectSet, { enabled: true }) };
const appSyncOff: AppContext = { db: database.db, sync: syncEnqueuer(editorObjectSet, { enabled: false }) };

/** Every sync job in the queue, as `<queue> <record id>`. */
async function jobsAll(): Promise<Map<string, string>> {
  const { rows } = await database.pool.query<{ id: string; name: string; singleton_key: string }>(
    `SELECT id, name, singleton_key FROM pgboss.job WHERE name LIKE 'salesforce-sync.%'`,
  );
  return new Map(rows.map((row) => [row.id, `${row.name.replace('salesforce-sync.', '')} ${row.singleton_key}`]));
}

/** The jobs `operation` enqueued, sorted, and what it returned (or threw). */
async function jobsEnqueuedBy<T>(operation: () => Promise<T>): Promise<{ jobs: string[]; result?: T; error?: unknown }> {
  const before = await jobsAll();
  let result: T | undefined;
  let error: unknown;
  try {
    result = await operation();
  } catch (caught) {
    error = caught;
  }
  const jobs = [...(await jobsAll())].filter(([id]) => !before.has(id)).map(([, job]) => job);
  return { jobs: jobs.sort(), result, error };
}

async function classWithLessons() {
  const school = await schoolInsert(database);
  const schoolClass = await schoolClassInsert(database, { schoolId: school.id });
  const seen = await lessonInsert(database, { schoolId: school.id, schoolClassId: schoolClass.id, visibility: 'students' });
  const alsoSeen = await lessonInsert(database, { schoolId: school.id, schoolClassId: schoolClass.id, visibility: 'students' });
  await lessonInsert(database, { schoolId: school.id, schoolClassId: schoolClass.id, visibility: 'teachers' });
  const otherClass = await schoolClassInsert(database, { schoolId: school.id });
  await lessonInsert(database, { schoolId: school.id, schoolClassId: otherClass.id, visibility: 'students' });
  return { school, schoolClass, seenLessons: [seen.id, alsoSeen.id] };
}

describe('class operations', () => {
  it('a class created or updated enqueues its Classroom__c job', async () => {
    const school = await schoolInsert(database);
    const created = await jobsEnqueuedBy(() => schoolClassCreate(app, { schoolId: school.id, name: 'Year 5' }));
    expect(created.jobs).toEqual([`school-class ${created.result!.id}`]);
    const updated = await jobsEnqueuedBy(() => schoolClassUpdate(app, created.result!.id, { name: 'Year 5 Coding' }));
    expect(updated.jobs).toEqual([`school-class ${created.result!.id}`]);
    expect(updated.result?.name).toBe('Year 5 Coding');
  });

  it('a class teacher added enqueues its affiliation and its class; removed, its class only', async () => {
    const school = await schoolInsert(database);
    const schoolClass = await schoolClassInsert(database, { schoolId: school.id });
    const added = await jobsEnqueuedBy(() => classTeacherAdd(app, { schoolClassId: schoolClass.id, teacherId: randomUUID() }));
    expect(added.jobs).toEqual([`class-teacher ${added.result!.id}`, `school-class ${schoolClass.id}`]);
    const removed = await jobsEnqueuedBy(() => classTeacherRemove(app, added.result!.id));
    expect(removed.jobs).toEqual([`school-class ${schoolClass.id}`]);
    expect(await database.db.select().from(classTeachers).where(sql`${classTeachers.id} = ${added.result!.id}`)).toEqual([]);
  });

  it('a class student added or removed enqueues its class and each of its lessons students see', async () => {
    const { schoolClass, seenLessons } = await classWithLessons();
    const expected = [...seenLessons.map((id) => `lesson ${id}`), `school-class ${schoolClass.id}`].sort();
    const added = await jobsEnqueuedBy(() => classStudentAdd(app, { schoolClassId: schoolClass.id, studentId: randomUUID() }));
    expect(added.jobs).toEqual(expected);
    const removed = await jobsEnqueuedBy(() => classStudentRemove(app, added.result!.id));
    expect(removed.jobs).toEqual(expected);
  });
});

describe('lesson and school project operations', () => {
  it('a lesson created or updated enqueues its job only when it is set in a class', async () => {
    const school = await schoolInsert(database);
    const schoolClass = await schoolClassInsert(database, { schoolId: school.id });
    const inClass = await jobsEnqueuedBy(() =>
      lessonCreate(app, { schoolId: school.id, schoolClassId: schoolClass.id, userId: randomUUID(), name: 'Sprites' }, { name: 'Moving cats', projectType: 'scratch' }),
    );
    expect(inClass.jobs).toEqual([`lesson ${inClass.result!.id}`]);
    expect(await jobsEnqueuedBy(() => lessonUpdate(app, inClass.result!.id, { visibility: 'students' }))).toMatchObject({ jobs: [`lesson ${inClass.result!.id}`] });
    expect(await jobsEnqueuedBy(() => lessonUpdate(app, inClass.result!.id, { submittedProjectsCount: 3 }))).toMatchObject({ jobs: [`lesson ${inClass.result!.id}`] });

    const own = await jobsEnqueuedBy(() => lessonCreate(app, { userId: randomUUID(), name: 'My project' }));
    expect(own.jobs).toEqual([]);
    expect(await jobsEnqueuedBy(() => lessonUpdate(app, own.result!.id, { name: 'My project, renamed' }))).toMatchObject({ jobs: [] });
  });

  it("a school project's finished flag changing enqueues its lesson's job; other changes do not", async () => {
    const school = await schoolInsert(database);
    const schoolClass = await schoolClassInsert(database, { schoolId: school.id });
    const lesson = await lessonInsert(database, { schoolId: school.id, schoolClassId: schoolClass.id, visibility: 'students' });
    const project = await lessonProjectInsert(database, lesson);
    const schoolProject = await schoolProjectInsert(database, project, { schoolId: school.id });
    expect(await jobsEnqueuedBy(() => schoolProjectUpdate(app, schoolProject.id, { finished: true }))).toMatchObject({ jobs: [`lesson ${lesson.id}`] });
    expect(await jobsEnqueuedBy(() => schoolProjectUpdate(app, schoolProject.id, { finished: true }))).toMatchObject({ jobs: [] });
    expect(await jobsEnqueuedBy(() => schoolProjectUpdate(app, schoolProject.id, { finished: false }))).toMatchObject({ jobs: [`lesson ${lesson.id}`] });
  });

  it("a school project submitted recounts its lesson's submitted projects, with one lesson job", async () => {
    const school = await schoolInsert(database);
    const schoolClass = await schoolClassInsert(database, { schoolId: school.id });
    const lesson = await lessonInsert(database, { schoolId: school.id, schoolClassId: schoolClass.id });
    const project = await lessonProjectInsert(database, lesson);
    const first = await schoolProjectInsert(database, project, { schoolId: school.id });
    await schoolProjectInsert(database, project, { schoolId: school.id, state: 'submitted' });
    expect(await jobsEnqueuedBy(() => schoolProjectUpdate(app, first.id, { state: 'submitted', finished: true }))).toMatchObject({ jobs: [`lesson ${lesson.id}`] });
    const [recounted] = await database.db.select().from(lessons).where(sql`${lessons.id} = ${lesson.id}`);
    expect(recounted?.submittedProjectsCount).toBe(2);
  });

  it('only entering or leaving submitted recounts the lesson and enqueues its job', async () => {
    const school = await schoolInsert(database);
    const schoolClass = await schoolClassInsert(database, { schoolId: school.id });
    const lesson = await lessonInsert(database, { schoolId: school.id, schoolClassId: schoolClass.id });
    const project = await lessonProjectInsert(database, lesson);
    const submitting = await schoolProjectInsert(database, project, { schoolId: school.id });
    const completing = await schoolProjectInsert(database, project, { schoolId: school.id });
    const submittedCount = async () => (await database.db.select().from(lessons).where(sql`${lessons.id} = ${lesson.id}`))[0]?.submittedProjectsCount;
    const move = (id: string, state: 'unsubmitted' | 'submitted' | 'returned' | 'complete') => jobsEnqueuedBy(() => schoolProjectUpdate(app, id, { state }));

    expect(await move(submitting.id, 'submitted')).toMatchObject({ jobs: [`lesson ${lesson.id}`] });
    expect(await submittedCount()).toBe(1);
    expect(await move(submitting.id, 'complete')).toMatchObject({ jobs: [`lesson ${lesson.id}`] });
    expect(await submittedCount()).toBe(0);

    await database.db.update(lessons).set({ submittedProjectsCount: 7 }).where(sql`${lessons.id} = ${lesson.id}`);
    expect(await move(completing.id, 'complete')).toMatchObject({ jobs: [], result: expect.objectContaining({ state: 'complete' }) });
    expect(await move(completing.id, 'unsubmitted')).toMatchObject({ jobs: [], result: expect.objectContaining({ state: 'unsubmitted' }) });
    // Not recounted: a move that neither enters nor leaves submitted leaves the lesson alone.
    expect(await submittedCount()).toBe(7);
  });

  it('a move the state machine does not allow is refused, writing nothing', async () => {
    const school = await schoolInsert(database);
    const schoolClass = await schoolClassInsert(database, { schoolId: school.id });
    const lesson = await lessonInsert(database, { schoolId: school.id, schoolClassId: schoolClass.id });
    const schoolProject = await schoolProjectInsert(database, await lessonProjectInsert(database, lesson), { schoolId: school.id, state: 'complete' });
    const refused = await jobsEnqueuedBy(() => schoolProjectUpdate(app, schoolProject.id, { state: 'submitted', finished: true }));
    expect(refused.jobs).toEqual([]);
    expect(refused.error).toBeInstanceOf(SchoolProjectTransitionError);
    expect((refused.error as Error).message).toBe(
      `SchoolProject ${schoolProject.id} cannot go from complete to submitted; from complete it may go to unsubmitted`,
    );
    const [after] = await database.db.select().from(schoolProjects).where(sql`${schoolProjects.id} = ${schoolProject.id}`);
    expect(after).toMatchObject({ state: 'complete', finished: false });
  });

  it('a school project of a lesson outside any class enqueues nothing', async () => {
    const school = await schoolInsert(database);
    const lesson = await lessonInsert(database, { schoolId: school.id });
    const schoolProject = await schoolProjectInsert(database, await lessonProjectInsert(database, lesson), { schoolId: school.id });
    expect(await jobsEnqueuedBy(() => schoolProjectUpdate(app, schoolProject.id, { finished: true }))).toMatchObject({ jobs: [] });
  });
});

describe('archiving a school', () => {
  it('enqueues the Editor__c, the Contact and each staff role it archives', async () => {
    const ownerId = randomUUID();
    const school = await schoolCreate(app, { name: 'Thornton Academy', creatorId: ownerId }, [
      { userId: ownerId, role: 'owner' },
      { userId: randomUUID(), role: 'teacher' },
    ]);
    const staff = await database.db.select({ id: roles.id }).from(roles).where(sql`${roles.schoolId} = ${school.id}`);
    const archived = await jobsEnqueuedBy(() => schoolArchive(app, school.id));
    expect(archived.jobs).toEqual([`contact ${school.id}`, ...staff.map((role) => `role ${role.id}`), `school ${school.id}`].sort());
    expect(archived.result?.archivedAt).not.toBeNull();

    // Archiving it again changes nothing and syncs nothing.
    const again = await jobsEnqueuedBy(() => schoolArchive(app, school.id));
    expect(again.jobs).toEqual([]);
    expect(again.result?.archivedAt).toEqual(archived.result?.archivedAt);
  });

  it('is refused while the school has students, writing nothing', async () => {
    const ownerId = randomUUID();
    const school = await schoolCreate(app, { name: 'Ryde High', creatorId: ownerId }, [
      { userId: ownerId, role: 'owner' },
      { userId: randomUUID(), role: 'student' },
    ]);
    const refused = await jobsEnqueuedBy(() => schoolArchive(app, school.id));
    expect(refused.error).toBeInstanceOf(SchoolHasStudentsError);
    expect((refused.error as Error).message).toBe(`School ${school.id} still has 1 student; remove them before archiving it`);
    expect(refused.jobs).toEqual([]);
    const [unchanged] = await database.db.select().from(schools).where(sql`${schools.id} = ${school.id}`);
    expect(unchanged?.archivedAt).toBeNull();
    const archivedRoles = await database.db.select().from(roles).where(sql`${roles.schoolId} = ${school.id} AND ${roles.archivedAt} IS NOT NULL`);
    expect(archivedRoles).toEqual([]);
  });
});

describe('in the operation’s transaction', () => {
  /** An enqueuer that enqueues for real, then fails on `failOn`'s queue, as a later step might. */
  function failingAfter(failOn: string): SyncEnqueuer {
    return {
      async enqueue(object, payload, via) {
        const id = await app.sync.enqueue(object, payload, via);
        if (object.queue === failOn) throw new Error(`enqueue on ${failOn} failed`);
        return id;
      },
    };
  }

  it('a rolled-back operation leaves neither its rows nor the jobs it had enqueued', async () => {
    const school = await schoolInsert(database);
    const schoolClass = await schoolClassInsert(database, { schoolId: school.id });
    const failing: AppContext = { db: database.db, sync: failingAfter('school-class') };
    const teacherId = randomUUID();

    // The affiliation job went in first; the class job then failed.
    const teacher = await jobsEnqueuedBy(() => classTeacherAdd(failing, { schoolClassId: schoolClass.id, teacherId }));
    expect(teacher.error).toBeInstanceOf(Error);
    expect(teacher.jobs).toEqual([]);
    expect(await database.db.select().from(classTeachers).where(sql`${classTeachers.teacherId} = ${teacherId}`)).toEqual([]);

    await lessonInsert(database, { schoolId: school.id, schoolClassId: schoolClass.id, visibility: 'students' });
    const student = await jobsEnqueuedBy(() => classStudentAdd({ db: database.db, sync: failingAfter('lesson') }, { schoolClassId: schoolClass.id, studentId: randomUUID() }));
    expect(student.error).toBeInstanceOf(Error);
    expect(student.jobs).toEqual([]);
    expect(await database.db.select().from(classStudents).where(sql`${classStudents.schoolClassId} = ${schoolClass.id}`)).toEqual([]);
  });
});

describe('while syncing is off', () => {
  it('every operation writes its rows and enqueues no job', async () => {
    const { school, schoolClass } = await classWithLessons();
    await classStudentsInsert(database, schoolClass.id, 1);
    const { jobs, error } = await jobsEnqueuedBy(async () => {
      const created = await schoolClassCreate(appSyncOff, { schoolId: school.id, name: 'Year 6' });
      await schoolClassUpdate(appSyncOff, created.id, { name: 'Year 6 Coding' });
      const teacher = await classTeacherAdd(appSyncOff, { schoolClassId: created.id, teacherId: randomUUID() });
      await classTeacherRemove(appSyncOff, teacher.id);
      const student = await classStudentAdd(appSyncOff, { schoolClassId: schoolClass.id, studentId: randomUUID() });
      await classStudentRemove(appSyncOff, student.id);
      const lesson = await lessonCreate(appSyncOff, { schoolClassId: created.id, userId: randomUUID(), name: 'Loops' }, { name: 'Loops' });
      await lessonUpdate(appSyncOff, lesson.id, { visibility: 'students' });
      const [project] = await database.db.select().from(projects).where(sql`${projects.lessonId} = ${lesson.id}`);
      const schoolProject = await schoolProjectInsert(database, project!, { schoolId: school.id });
      await schoolProjectUpdate(appSyncOff, schoolProject.id, { finished: true });
      await schoolClassDestroy(appSyncOff, school.id, schoolClass.id);
      const other = await schoolCreate(appSyncOff, { name: 'Cowes Enterprise', creatorId: randomUUID() }, [{ userId: randomUUID(), role: 'owner' }]);
      return schoolArchive(appSyncOff, other.id);
    });
    expect(error).toBeUndefined();
    expect(jobs).toEqual([]);
    const { rows } = await database.pool.query<{ count: number }>(`SELECT count(*)::int AS count FROM schools WHERE archived_at IS NOT NULL AND name = 'Cowes Enterprise'`);
    expect(rows[0]?.count).toBe(1);
    expect(await database.db.select().from(classStudents).where(sql`${classStudents.schoolClassId} = ${schoolClass.id}`)).toEqual([]);
  });
});
