/**
 * School operations, as the host app performs them: each writes its rows and enqueues the sync
 * jobs in one transaction. Creating, updating or archiving a school syncs its Editor__c and its
 * creator's Contact consent; archiving also archives its staff roles and syncs them.
 */
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { roles, schools } from '../app-schema.ts';
import { contact } from '../objects/contact.ts';
import { contactEditorAffiliation } from '../objects/contact-editor-affiliation.ts';
import { editor } from '../objects/editor.ts';
import type { AppContext } from './app-context.ts';
import { ConnectSyncError } from '../../errors.ts';
import { RecordNotFoundError } from '../../sync/sync-errors.ts';

export type School = typeof schools.$inferSelect;
export type SchoolNew = typeof schools.$inferInsert;
export type SchoolChanges = Partial<Omit<SchoolNew, 'id' | 'createdAt' | 'updatedAt'>>;

/** A person joining a school as it is created. */
export interface SchoolMember {
  userId: string;
  role: (typeof roles.$inferInsert)['role'];
}

/**
 * Creates a school, and any first members, in one transaction: the school's jobs and its staff
 * roles' jobs are enqueued together, which is what races without the parent guard.
 */
export async function schoolCreate({ db, sync }: AppContext, input: SchoolNew, members: readonly SchoolMember[] = []): Promise<School> {
  return db.transaction(async (tx) => {
    const [school] = await tx.insert(schools).values(input).returning();
    if (!school) throw new Error('school insert returned no row');
    await sync.enqueue(editor, { schoolId: school.id, isCreate: true }, { tx });
    await sync.enqueue(contact, { schoolId: school.id }, { tx });
    if (members.length === 0) return school;
    const created = await tx
      .insert(roles)
      .values(members.map((member) => ({ ...member, schoolId: school.id })))
      .returning({ id: roles.id, role: roles.role });
    for (const role of created) if (role.role !== 'student') await sync.enqueue(contactEditorAffiliation, { roleId: role.id }, { tx });
    return school;
  });
}

export async function schoolUpdate({ db, sync }: AppContext, schoolId: string, changes: SchoolChanges): Promise<School> {
  return db.transaction(async (tx) => {
    const [school] = await tx
      .update(schools)
      .set({ ...changes, updatedAt: sql`now()` })
      .where(eq(schools.id, schoolId))
      .returning();
    if (!school) throw new RecordNotFoundError(`School ${schoolId} does not exist`);
    await sync.enqueue(editor, { schoolId, isCreate: false }, { tx });
    await sync.enqueue(contact, { schoolId }, { tx });
    return school;
  });
}

/** Archiving refused: the school still has students, who must leave it first. */
export class SchoolHasStudentsError extends ConnectSyncError {
  readonly code = 'SCHOOL_HAS_STUDENTS';
  readonly schoolId: string;
  readonly students: number;
  constructor(schoolId: string, students: number) {
    super(`School ${schoolId} still has ${students} student${students === 1 ? '' : 's'}; remove them before archiving it`);
    this.schoolId = schoolId;
    this.students = students;
  }
}

/**
 * Archives a school and its owner and teacher roles; the school and its creator's Contact
 * re-sync, and each archived role syncs as offboarded. An archived school is left as it is; a
 * school with students is refused with SchoolHasStudentsError, and nothing is written.
 */
export async function schoolArchive({ db, sync }: AppContext, schoolId: string): Promise<School> {
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(schools).where(eq(schools.id, schoolId)).for('update');
    if (!current) throw new RecordNotFoundError(`School ${schoolId} does not exist`);
    if (current.archivedAt) return current;
    const [students] = await tx
      .select({ count: sql<number>`count(*)::int` })
      .from(roles)
      .where(and(eq(roles.schoolId, schoolId), eq(roles.role, 'student'), isNull(roles.archivedAt)));
    if (students && students.count > 0) throw new SchoolHasStudentsError(schoolId, students.count);

    const [school] = await tx
      .update(schools)
      .set({ archivedAt: sql`now()`, updatedAt: sql`now()` })
      .where(eq(schools.id, schoolId))
      .returning();
    if (!school) throw new RecordNotFoundError(`School ${schoolId} does not exist`);
    const archived = await tx
      .update(roles)
      .set({ archivedAt: sql`now()`, updatedAt: sql`now()` })
      .where(and(eq(roles.schoolId, schoolId), inArray(roles.role, ['owner', 'teacher']), isNull(roles.archivedAt)))
      .returning({ id: roles.id });
    await sync.enqueue(editor, { schoolId, isCreate: false }, { tx });
    await sync.enqueue(contact, { schoolId }, { tx });
    for (const role of archived) await sync.enqueue(contactEditorAffiliation, { roleId: role.id }, { tx });
    return school;
  });
}
