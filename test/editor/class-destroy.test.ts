/**
 * Deleting a class, as the editor app does: its students destroyed, then its teachers, its lessons
 * kept outside any class, then the class; each member's syncs enqueued with the class row already
 * gone, raising nothing; and, through the worker, the class's jobs ending as a job for a record
 * that no longer exists does (rejected at once, one error line, no retry spent).
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { classStudents, classTeachers, lessons, schoolClasses } from '../../src/editor/app-schema.ts';
import { classroom } from '../../src/editor/objects/classroom.ts';
import { schoolClassDestroy } from '../../src/editor/operations/classes.ts';
import type { AppContext } from '../../src/editor/operations/app-context.ts';
import { syncEnqueuer } from '../../src/queue/enqueue.ts';
import { deadLetterQueue } from '../../src/queue/queues.ts';
import { syncWorkStart } from '../../src/queue/sync-worker.ts';
import { testDatabase } from '../support/database.ts';
import { editorObjectSet } from '../support/editor.ts';
import { logCapture } from '../support/log.ts';
import { jobsRead, testBoss } from '../support/queue.ts';
import { classStudentsInsert, classTeacherInsert, lessonInsert, schoolClassInsert, schoolInsert } from '../support/records.ts';
import { waitFor } from '../support/wait.ts';

const database = await testDatabase();
const boss = await testBoss(database);
const app: AppContext = { db: database.db, sync: syncEnqueuer(editorObjectSet, { enabled: true }) };

// Every step of a delete, in the order the database saw it: member rows deleted, lessons
// released from their class, the class row deleted, and each sync job as it is inserted, with
// whether its class row still existed then. (Its own search_path: a job is inserted by
// connect_sync.job_insert, which runs with pg_catalog alone.)
await database.pool.query(`
  CREATE TABLE cascade_step (seq bigserial PRIMARY KEY, step text NOT NULL);
  CREATE FUNCTION cascade_step_log() RETURNS trigger LANGUAGE plpgsql SET search_path = public AS $$
  BEGIN
    IF TG_TABLE_SCHEMA = 'pgboss' THEN
      INSERT INTO cascade_step (step) VALUES (replace(NEW.name, 'salesforce-sync.', '') || ' job ' || NEW.state || CASE
        WHEN NOT NEW.data ? 'schoolClassId' THEN ''
        WHEN EXISTS (SELECT 1 FROM school_classes WHERE id::text = NEW.data ->> 'schoolClassId') THEN ', class present'
        ELSE ', class gone' END);
    ELSIF TG_OP = 'DELETE' THEN
      INSERT INTO cascade_step (step) VALUES (TG_TABLE_NAME || ' deleted');
    ELSE
      INSERT INTO cascade_step (step) VALUES (TG_TABLE_NAME || ' released');
    END IF;
    RETURN NULL;
  END $$;
  CREATE TRIGGER cascade_step AFTER DELETE ON class_students FOR EACH ROW EXECUTE FUNCTION cascade_step_log();
  CREATE TRIGGER cascade_step AFTER DELETE ON class_teachers FOR EACH ROW EXECUTE FUNCTION cascade_step_log();
  CREATE TRIGGER cascade_step AFTER DELETE ON school_classes FOR EACH ROW EXECUTE FUNCTION cascade_step_log();
  CREATE TRIGGER cascade_step AFTER UPDATE OF school_class_id ON lessons FOR EACH ROW
    WHEN (OLD.school_class_id IS NOT NULL AND NEW.school_class_id IS NULL) EXECUTE FUNCTION cascade_step_log();
  CREATE TRIGGER cascade_step AFTER INSERT ON pgboss.job FOR EACH ROW
    WHEN (NEW.name LIKE 'salesforce-sync.%' AND NEW.name <> '${deadLetterQueue}') EXECUTE FUNCTION cascade_step_log();
`);

/** The steps `action` took, in order. */
async function stepsOf(action: () => Promise<unknown>): Promise<string[]> {
  await database.pool.query(`TRUNCATE cascade_step`);
  await action();
  const { rows } = await database.pool.query<{ step: string }>(`SELECT step FROM cascade_step ORDER BY seq`);
  return rows.map((row) => row.step);
}

/** A class with two students, two teachers, a lesson students see and one they do not; and a class beside it. */
async function classWithMembers() {
  const school = await schoolInsert(database);
  const schoolClass = await schoolClassInsert(database, { schoolId: school.id });
  await classStudentsInsert(database, schoolClass.id, 2);
  await classTeacherInsert(database, { schoolClassId: schoolClass.id });
  await classTeacherInsert(database, { schoolClassId: schoolClass.id });
  const seen = await lessonInsert(database, { schoolId: school.id, schoolClassId: schoolClass.id, visibility: 'students' });
  const unseen = await lessonInsert(database, { schoolId: school.id, schoolClassId: schoolClass.id, visibility: 'teachers' });
  const beside = await schoolClassInsert(database, { schoolId: school.id });
  await classStudentsInsert(database, beside.id, 1);
  const besideLesson = await lessonInsert(database, { schoolId: school.id, schoolClassId: beside.id, visibility: 'students' });
  return { school, schoolClass, lessonIds: [seen.id, unseen.id], beside, besideLesson };
}

const rowsOf = async (table: typeof classStudents | typeof classTeachers | typeof lessons, schoolClassId: string) =>
  database.db.select().from(table).where(sql`${table.schoolClassId} = ${schoolClassId}`);

describe('deleting a class', () => {
  it("goes in the app's order, then enqueues each member's syncs with the class row gone, raising nothing", async () => {
    const { school, schoolClass, lessonIds, beside, besideLesson } = await classWithMembers();
    let destroyed: unknown;
    const steps = await stepsOf(async () => {
      destroyed = await schoolClassDestroy(app, school.id, schoolClass.id);
    });
    expect(destroyed).toMatchObject({ id: schoolClass.id, schoolId: school.id });
    expect(steps).toEqual([
      'class_students deleted',
      'class_students deleted',
      'class_teachers deleted',
      'class_teachers deleted',
      'lessons released',
      'lessons released',
      'school_classes deleted',
      // Two students and two teachers each ask for the class; the later three coalesce into the
      // first. The students' lesson syncs find no lesson: the lessons left the class first, as in
      // the app, whose callbacks run after commit.
      'school-class job created, class gone',
      'school-class job completed, class gone',
      'school-class job completed, class gone',
      'school-class job completed, class gone',
    ]);

    expect(await database.db.select().from(schoolClasses).where(sql`${schoolClasses.id} = ${schoolClass.id}`)).toEqual([]);
    expect(await rowsOf(classStudents, schoolClass.id)).toEqual([]);
    expect(await rowsOf(classTeachers, schoolClass.id)).toEqual([]);
    const kept = await database.db.select().from(lessons).where(sql`${lessons.id} IN (${sql.join(lessonIds.map((id) => sql`${id}::uuid`), sql`, `)})`);
    expect(kept.map((lesson) => lesson.schoolClassId)).toEqual([null, null]);
    // The class beside it keeps everything.
    expect(await rowsOf(classStudents, beside.id)).toHaveLength(1);
    expect((await rowsOf(lessons, beside.id)).map((lesson) => lesson.id)).toEqual([besideLesson.id]);
  });

  it('enqueues nothing for a class without members; refuses a class of another school, deleting nothing', async () => {
    const school = await schoolInsert(database);
    const empty = await schoolClassInsert(database, { schoolId: school.id });
    expect(await stepsOf(() => schoolClassDestroy(app, school.id, empty.id))).toEqual(['school_classes deleted']);

    const { schoolClass } = await classWithMembers();
    const elsewhere = randomUUID();
    await expect(schoolClassDestroy(app, elsewhere, schoolClass.id)).rejects.toThrow(`SchoolClass ${schoolClass.id} does not exist in School ${elsewhere}`);
    expect(await rowsOf(classStudents, schoolClass.id)).toHaveLength(2);
    expect(await rowsOf(classTeachers, schoolClass.id)).toHaveLength(2);
  });

  it('a bare DELETE of a class takes its members with it and keeps its lessons, as the schema says', async () => {
    const { schoolClass, lessonIds } = await classWithMembers();
    await database.db.delete(schoolClasses).where(sql`${schoolClasses.id} = ${schoolClass.id}`);
    expect(await rowsOf(classStudents, schoolClass.id)).toEqual([]);
    expect(await rowsOf(classTeachers, schoolClass.id)).toEqual([]);
    const kept = await database.db.select().from(lessons).where(sql`${lessons.id} = ${lessonIds[0]!}`);
    expect(kept).toMatchObject([{ schoolClassId: null }]);
  });

  it("through the worker: the vanished class's job is rejected at once, one error line, no retry; the rest complete", async () => {
    const { school, schoolClass } = await classWithMembers();
    await schoolClassDestroy(app, school.id, schoolClass.id);
    const captured = logCapture();
    await syncWorkStart(boss, database.db, editorObjectSet, captured.log, { enabled: true, pollingIntervalSeconds: 0.5, only: [classroom] });

    const classJobs = async () => (await jobsRead(database, classroom.queueName)).filter((job) => job.singleton_key === schoolClass.id);
    const failed = await waitFor('the class job to fail', async () => (await classJobs()).find((job) => job.state === 'failed'));
    expect(failed).toMatchObject({
      retry_count: 0,
      output: { name: 'RecordNotFoundError', message: `SchoolClass ${schoolClass.id} does not exist, so there is nothing to sync to Classroom__c` },
    });
    const others = (await classJobs()).filter((job) => job.id !== failed.id);
    expect(others.map((job) => [job.state, job.output])).toEqual(Array.from({ length: 3 }, () => ['completed', { coalescedInto: failed.id }]));
    const dead = await waitFor('the dead letter', async () => (await jobsRead(database, deadLetterQueue)).find((job) => job.data.schoolClassId === schoolClass.id));
    expect(dead).toMatchObject({ source_name: classroom.queueName });
    // The first test's class vanished too; its job ends the same way, on its own line.
    const errorLines = captured.lines.filter((line) => line.level >= 50 && line.msg.includes(schoolClass.id));
    expect(errorLines.map((line) => line.msg)).toEqual([
      `sync job rejected, not retried: SchoolClass ${schoolClass.id} does not exist, so there is nothing to sync to Classroom__c`,
    ]);
  });
});
