/**
 * Lesson and school project operations. Only a lesson set in a class is synced, so only such a
 * lesson's changes enqueue its job; a student's school project re-syncs its lesson when its
 * `finished` flag changes or it is submitted or withdrawn from submission (the lesson's
 * completed count).
 */
import { and, eq, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { lessons, projects, schoolProjects } from '../app-schema.ts';
import { lesson } from '../objects/lesson.ts';
import type { AppContext, AppTransaction } from './app-context.ts';
import { ConnectSyncError } from '../../errors.ts';
import { RecordNotFoundError } from '../../sync/sync-errors.ts';

/** A lesson row. */
export type Lesson = typeof lessons.$inferSelect;
/** A lesson to create. */
export type LessonNew = typeof lessons.$inferInsert;
/** What a lesson update may change. */
export type LessonChanges = Partial<Pick<LessonNew, 'name' | 'visibility' | 'schoolClassId' | 'submittedProjectsCount' | 'archivedAt'>>;
/** A school project row: a student's remix of a lesson's project. */
export type SchoolProject = typeof schoolProjects.$inferSelect;
/** What a school project update may change. */
export type SchoolProjectChanges = Partial<Pick<typeof schoolProjects.$inferInsert, 'finished' | 'state'>>;

/** A lesson's own project, made with it. */
export interface LessonProjectNew {
  name: string;
  projectType?: string;
}

/** Creates a lesson, with its project if given; a lesson set in a class syncs. */
export async function lessonCreate({ db, sync }: AppContext, input: LessonNew, project?: LessonProjectNew): Promise<Lesson> {
  return db.transaction(async (tx) => {
    const [created] = await tx.insert(lessons).values(input).returning();
    if (!created) throw new Error('lesson insert returned no row');
    if (project) await tx.insert(projects).values({ ...project, lessonId: created.id, userId: created.userId });
    if (created.schoolClassId) await sync.enqueue(lesson, { lessonId: created.id }, { tx });
    return created;
  });
}

/** Changes a lesson (including the recount of its submitted projects); a lesson in a class syncs. */
export async function lessonUpdate({ db, sync }: AppContext, lessonId: string, changes: LessonChanges): Promise<Lesson> {
  return db.transaction(async (tx) => {
    const [updated] = await tx
      .update(lessons)
      .set({ ...changes, updatedAt: sql`now()` })
      .where(eq(lessons.id, lessonId))
      .returning();
    if (!updated) throw new RecordNotFoundError(`Lesson ${lessonId} does not exist`);
    if (updated.schoolClassId) await sync.enqueue(lesson, { lessonId }, { tx });
    return updated;
  });
}

const remixes = alias(projects, 'remixes');

/** The submission states a school project may move to from each state, as the app's state machine allows. */
export const schoolProjectTransitions: Readonly<Record<SchoolProject['state'], readonly SchoolProject['state'][]>> = {
  unsubmitted: ['submitted', 'complete'],
  submitted: ['unsubmitted', 'returned', 'complete'],
  returned: ['submitted', 'complete'],
  complete: ['unsubmitted'],
};

/** A school project asked to move to a state its current state does not lead to. Nothing is written. */
export class SchoolProjectTransitionError extends ConnectSyncError { readonly code = 'SCHOOL_PROJECT_TRANSITION'; }

/**
 * Changes a student's school project. A change of `finished` re-syncs its lesson. Only a move
 * into or out of `submitted` recounts the lesson's submitted projects (its
 * NumberOfCompletedProjects__c), a lesson update that syncs it; `unsubmitted → complete` and
 * `complete → unsubmitted` change no count and enqueue nothing. One job per lesson at most, and
 * only for a lesson set in a class. A move the state machine does not allow throws
 * SchoolProjectTransitionError.
 */
export async function schoolProjectUpdate({ db, sync }: AppContext, schoolProjectId: string, changes: SchoolProjectChanges): Promise<SchoolProject> {
  return db.transaction(async (tx) => {
    const [before] = await tx
      .select({ finished: schoolProjects.finished, state: schoolProjects.state, lessonId: lessons.id, schoolClassId: lessons.schoolClassId })
      .from(schoolProjects)
      .leftJoin(remixes, eq(remixes.id, schoolProjects.projectId))
      .leftJoin(projects, eq(projects.id, remixes.remixedFromId))
      .leftJoin(lessons, eq(lessons.id, projects.lessonId))
      .where(eq(schoolProjects.id, schoolProjectId))
      .for('update', { of: schoolProjects });
    if (!before) throw new RecordNotFoundError(`SchoolProject ${schoolProjectId} does not exist`);
    const state = changes.state ?? before.state;
    if (state !== before.state && !schoolProjectTransitions[before.state].includes(state)) {
      throw new SchoolProjectTransitionError(
        `SchoolProject ${schoolProjectId} cannot go from ${before.state} to ${state}; from ${before.state} it may go to ${schoolProjectTransitions[before.state].join(' or ')}`,
      );
    }
    const [updated] = await tx
      .update(schoolProjects)
      .set({ ...changes, updatedAt: sql`now()` })
      .where(eq(schoolProjects.id, schoolProjectId))
      .returning();
    if (!updated) throw new RecordNotFoundError(`SchoolProject ${schoolProjectId} does not exist`);
    if (!before.lessonId) return updated;

    // Only the submitted count moves with the state: entering or leaving `submitted`.
    const submissionChanged = (updated.state === 'submitted') !== (before.state === 'submitted');
    if (submissionChanged) await lessonSubmittedRecount(tx, before.lessonId);
    if ((submissionChanged || updated.finished !== before.finished) && before.schoolClassId) {
      await sync.enqueue(lesson, { lessonId: before.lessonId }, { tx });
    }
    return updated;
  });
}

// The lesson's submitted count: its project's remixes whose school project is submitted.
async function lessonSubmittedRecount(tx: AppTransaction, lessonId: string): Promise<void> {
  const submitted = tx
    .select({ count: sql<number>`count(*)::int` })
    .from(schoolProjects)
    .innerJoin(remixes, eq(remixes.id, schoolProjects.projectId))
    .innerJoin(projects, eq(projects.id, remixes.remixedFromId))
    .where(and(eq(projects.lessonId, lessonId), eq(schoolProjects.state, 'submitted')));
  await tx
    .update(lessons)
    .set({ submittedProjectsCount: sql`(${submitted})`, updatedAt: sql`now()` })
    .where(eq(lessons.id, lessonId));
}
