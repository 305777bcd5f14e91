/**
 * Test records: app rows written directly (no jobs), and mirror rows standing for parents that
 * Salesforce has (with an sfid) or not yet (without).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { classStudents, classTeachers, lessons, projects, roles, schoolClasses, schoolProjects, schools } from '../../src/editor/app-schema.ts';
import type { Database } from '../../src/db/database.ts';
import { sqlIdentifier } from '../../src/db/sql-names.ts';
import type { AnyMirrorObject } from '../../src/mirror/object-set.ts';

export async function schoolInsert(database: Database, values: Partial<typeof schools.$inferInsert> = {}) {
  const [school] = await database.db
    .insert(schools)
    .values({ name: 'Gurnard Primary', creatorId: randomUUID(), ...values })
    .returning();
  return school!;
}

export async function roleInsert(database: Database, values: Partial<typeof roles.$inferInsert> & { schoolId: string }) {
  const [role] = await database.db
    .insert(roles)
    .values({ role: 'teacher', userId: randomUUID(), ...values })
    .returning();
  return role!;
}

export async function schoolClassInsert(database: Database, values: Partial<typeof schoolClasses.$inferInsert> & { schoolId: string }) {
  const [schoolClass] = await database.db
    .insert(schoolClasses)
    .values({ name: 'Year 5 Coding', ...values })
    .returning();
  return schoolClass!;
}

export async function classTeacherInsert(database: Database, values: Partial<typeof classTeachers.$inferInsert> & { schoolClassId: string }) {
  const [teacher] = await database.db
    .insert(classTeachers)
    .values({ teacherId: randomUUID(), ...values })
    .returning();
  return teacher!;
}

/** `count` new students in the class. */
export async function classStudentsInsert(database: Database, schoolClassId: string, count: number) {
  if (count === 0) return [];
  return database.db
    .insert(classStudents)
    .values(Array.from({ length: count }, () => ({ schoolClassId, studentId: randomUUID() })))
    .returning();
}

export async function lessonInsert(database: Database, values: Partial<typeof lessons.$inferInsert> = {}) {
  const [lesson] = await database.db
    .insert(lessons)
    .values({ userId: randomUUID(), name: 'Sprites', ...values })
    .returning();
  return lesson!;
}

/** A lesson's own project. */
export async function lessonProjectInsert(database: Database, lesson: { id: string; userId: string }, values: Partial<typeof projects.$inferInsert> = {}) {
  const [project] = await database.db
    .insert(projects)
    .values({ lessonId: lesson.id, userId: lesson.userId, name: 'Moving cats', ...values })
    .returning();
  return project!;
}

/** A student's remix of a lesson's project, and its school project. */
export async function schoolProjectInsert(
  database: Database,
  lessonProject: { id: string; name: string; projectType: string },
  values: Partial<typeof schoolProjects.$inferInsert> & { schoolId: string },
) {
  const [remix] = await database.db
    .insert(projects)
    .values({ remixedFromId: lessonProject.id, userId: randomUUID(), name: lessonProject.name, projectType: lessonProject.projectType })
    .returning();
  const [schoolProject] = await database.db
    .insert(schoolProjects)
    .values({ projectId: remix!.id, ...values })
    .returning();
  return schoolProject!;
}

/** An 18-character id of the shape Salesforce gives. */
export function fakeSfid(): string {
  return `a00${randomBytes(12).toString('hex').slice(0, 15)}`;
}

/** A mirror row of `object` for `externalId`, with an sfid when `synced`. */
export async function mirrorRowInsert(
  database: Database,
  object: AnyMirrorObject,
  externalId: string,
  { synced, values = {} }: { synced: boolean; values?: Record<string, unknown> },
): Promise<void> {
  const columns = { [object.externalId]: externalId, sfid: synced ? fakeSfid() : null, ...values };
  await database.db.execute(
    sql`INSERT INTO ${object.table}
        (${sql.join(Object.keys(columns).map((c) => sqlIdentifier(c)), sql`, `)})
        VALUES (${sql.join(Object.values(columns).map((v) => sql`${v}`), sql`, `)})`,
  );
}

/** The mirror row of `object` for `externalId`, or undefined. */
export async function mirrorRowRead(database: Database, object: AnyMirrorObject, externalId: string): Promise<Record<string, unknown> | undefined> {
  const { rows } = await database.db.execute<Record<string, unknown>>(
    sql`SELECT * FROM ${object.table} WHERE ${sqlIdentifier(object.externalId)} = ${externalId}`,
  );
  return rows[0];
}

/** Sets the sfid of a mirror row, as Connect does once Salesforce has accepted it. */
export async function mirrorRowSync(database: Database, object: AnyMirrorObject, externalId: string): Promise<void> {
  await database.db.execute(
    sql`UPDATE ${object.table} SET sfid = ${fakeSfid()}
        WHERE ${sqlIdentifier(object.externalId)} = ${externalId}`,
  );
}
