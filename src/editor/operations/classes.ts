/**
 * Class operations: a class, its teachers and its students, and deleting a class with them. Each
 * writes its rows and enqueues its jobs in one transaction. A class re-syncs whenever its members
 * change (its counts), and a student joining or leaving also re-syncs every lesson of the class
 * that students see (their assigned count).
 */
import { and, eq, sql } from 'drizzle-orm';
import { classStudents, classTeachers, lessons, schoolClasses } from '../app-schema.ts';
import { classroom } from '../objects/classroom.ts';
import { contactClassroomAffiliation } from '../objects/contact-classroom-affiliation.ts';
import { lesson } from '../objects/lesson.ts';
import type { AppContext, AppTransaction } from './app-context.ts';
import { RecordNotFoundError } from '../../sync/sync-errors.ts';

/** A class row. */
export type SchoolClass = typeof schoolClasses.$inferSelect;
/** What a class update may change. */
export type SchoolClassChanges = Partial<Pick<typeof schoolClasses.$inferInsert, 'name'>>;
/** A class teacher row: a teacher of one class. */
export type ClassTeacher = typeof classTeachers.$inferSelect;
/** A class student row: a student of one class. */
export type ClassStudent = typeof classStudents.$inferSelect;

/** Creates a class; its Classroom__c waits for the school's Editor__c. */
export async function schoolClassCreate({ db, sync }: AppContext, input: typeof schoolClasses.$inferInsert): Promise<SchoolClass> {
  return db.transaction(async (tx) => {
    const [created] = await tx.insert(schoolClasses).values(input).returning();
    if (!created) throw new Error('class insert returned no row');
    await sync.enqueue(classroom, { schoolClassId: created.id }, { tx });
    return created;
  });
}

/** Changes a class (its name); the Classroom__c follows. */
export async function schoolClassUpdate({ db, sync }: AppContext, schoolClassId: string, changes: SchoolClassChanges): Promise<SchoolClass> {
  return db.transaction(async (tx) => {
    const [updated] = await tx
      .update(schoolClasses)
      .set({ ...changes, updatedAt: sql`now()` })
      .where(eq(schoolClasses.id, schoolClassId))
      .returning();
    if (!updated) throw new RecordNotFoundError(`SchoolClass ${schoolClassId} does not exist`);
    await sync.enqueue(classroom, { schoolClassId }, { tx });
    return updated;
  });
}

/**
 * Deletes a class of a school, as the app's class delete does: its students are destroyed, then
 * its teachers, its lessons are kept outside any class (no lesson update, so none syncs), and the
 * class row goes. Then, with the class row gone, come the syncs each destroyed member asks for,
 * as the app's callbacks do after commit: every student its class and the class's lessons students
 * see (none are left in it by then), every teacher its class. The class's jobs end as any job for
 * a record that no longer exists: rejected at once, one log line, no retry spent. Salesforce keeps
 * the Classroom__c and its affiliations: the app never deletes a mirror row.
 */
export async function schoolClassDestroy(context: AppContext, schoolId: string, schoolClassId: string): Promise<SchoolClass> {
  return context.db.transaction(async (tx) => {
    // Locked first: no member joins a class while it is being deleted.
    const [found] = await tx
      .select({ id: schoolClasses.id })
      .from(schoolClasses)
      .where(and(eq(schoolClasses.id, schoolClassId), eq(schoolClasses.schoolId, schoolId)))
      .for('update');
    if (!found) throw new RecordNotFoundError(`SchoolClass ${schoolClassId} does not exist in School ${schoolId}`);
    // The app's dependent order (students, teachers, lessons), before the class itself. The
    // schema's ON DELETE rules would do the same for a bare DELETE, but enqueue nothing.
    const students = await tx.delete(classStudents).where(eq(classStudents.schoolClassId, schoolClassId)).returning({ id: classStudents.id });
    const teachers = await tx.delete(classTeachers).where(eq(classTeachers.schoolClassId, schoolClassId)).returning({ id: classTeachers.id });
    await tx.update(lessons).set({ schoolClassId: null }).where(eq(lessons.schoolClassId, schoolClassId));
    const [destroyed] = await tx.delete(schoolClasses).where(eq(schoolClasses.id, schoolClassId)).returning();
    if (!destroyed) throw new RecordNotFoundError(`SchoolClass ${schoolClassId} does not exist in School ${schoolId}`);
    // One request per destroyed member, as each member's own callback makes it in the app; the
    // identical class jobs coalesce into one waiting job (job-record-key.ts).
    for (const _student of students) await classMembersChanged(context, tx, schoolClassId);
    for (const _teacher of teachers) await context.sync.enqueue(classroom, { schoolClassId }, { tx });
    return destroyed;
  });
}

/** Adds a teacher to a class: their affiliation syncs, and so does the class. */
export async function classTeacherAdd({ db, sync }: AppContext, input: typeof classTeachers.$inferInsert): Promise<ClassTeacher> {
  return db.transaction(async (tx) => {
    const [created] = await tx.insert(classTeachers).values(input).returning();
    if (!created) throw new Error('class teacher insert returned no row');
    await sync.enqueue(contactClassroomAffiliation, { classTeacherId: created.id }, { tx });
    await sync.enqueue(classroom, { schoolClassId: created.schoolClassId }, { tx });
    return created;
  });
}

/** Removes a teacher from a class; the class re-syncs (the app leaves the affiliation row as it is). */
export async function classTeacherRemove({ db, sync }: AppContext, classTeacherId: string): Promise<ClassTeacher> {
  return db.transaction(async (tx) => {
    const [removed] = await tx.delete(classTeachers).where(eq(classTeachers.id, classTeacherId)).returning();
    if (!removed) throw new RecordNotFoundError(`ClassTeacher ${classTeacherId} does not exist`);
    await sync.enqueue(classroom, { schoolClassId: removed.schoolClassId }, { tx });
    return removed;
  });
}

/** Adds a student to a class: the class and its lessons visible to students re-sync. */
export async function classStudentAdd(context: AppContext, input: typeof classStudents.$inferInsert): Promise<ClassStudent> {
  return context.db.transaction(async (tx) => {
    const [created] = await tx.insert(classStudents).values(input).returning();
    if (!created) throw new Error('class student insert returned no row');
    await classMembersChanged(context, tx, created.schoolClassId);
    return created;
  });
}

/** Removes a student from a class: the class and its lessons visible to students re-sync. */
export async function classStudentRemove(context: AppContext, classStudentId: string): Promise<ClassStudent> {
  return context.db.transaction(async (tx) => {
    const [removed] = await tx.delete(classStudents).where(eq(classStudents.id, classStudentId)).returning();
    if (!removed) throw new RecordNotFoundError(`ClassStudent ${classStudentId} does not exist`);
    await classMembersChanged(context, tx, removed.schoolClassId);
    return removed;
  });
}

// A class's student count is its NumberOfMembers__c and each student-visible lesson's assigned count.
async function classMembersChanged({ sync }: AppContext, tx: AppTransaction, schoolClassId: string): Promise<void> {
  await sync.enqueue(classroom, { schoolClassId }, { tx });
  const assigned = await tx
    .select({ id: lessons.id })
    .from(lessons)
    .where(and(eq(lessons.schoolClassId, schoolClassId), eq(lessons.visibility, 'students')))
    .orderBy(lessons.id);
  for (const { id } of assigned) await sync.enqueue(lesson, { lessonId: id }, { tx });
}
