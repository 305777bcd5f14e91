/** Class, class-teacher and lesson operations, each syncing its own mirror object. */
import { classTeachers, lessons, schoolClasses } from '../app-schema.ts';
import { classroom } from '../objects/classroom.ts';
import { contactClassroomAffiliation } from '../objects/contact-classroom-affiliation.ts';
import { lesson } from '../objects/lesson.ts';
import type { AppContext } from './app-context.ts';

export type SchoolClass = typeof schoolClasses.$inferSelect;
export type ClassTeacher = typeof classTeachers.$inferSelect;
export type Lesson = typeof lessons.$inferSelect;

export async function schoolClassCreate({ db, sync }: AppContext, input: typeof schoolClasses.$inferInsert): Promise<SchoolClass> {
  return db.transaction(async (tx) => {
    const [created] = await tx.insert(schoolClasses).values(input).returning();
    if (!created) throw new Error('class insert returned no row');
    await sync.enqueue(classroom, { schoolClassId: created.id }, { tx });
    return created;
  });
}

export async function classTeacherAdd({ db, sync }: AppContext, input: typeof classTeachers.$inferInsert): Promise<ClassTeacher> {
  return db.transaction(async (tx) => {
    const [created] = await tx.insert(classTeachers).values(input).returning();
    if (!created) throw new Error('class teacher insert returned no row');
    await sync.enqueue(contactClassroomAffiliation, { classTeacherId: created.id }, { tx });
    return created;
  });
}

/** Creates a lesson; one outside a class is enqueued too, and its job skips it. */
export async function lessonCreate({ db, sync }: AppContext, input: typeof lessons.$inferInsert): Promise<Lesson> {
  return db.transaction(async (tx) => {
    const [created] = await tx.insert(lessons).values(input).returning();
    if (!created) throw new Error('lesson insert returned no row');
    await sync.enqueue(lesson, { lessonId: created.id }, { tx });
    return created;
  });
}
