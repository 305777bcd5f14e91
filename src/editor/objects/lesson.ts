/**
 * Lesson__c: a lesson set in a class, with its project and how many students were assigned it
 * and completed it. Jobs: `{ lessonId }`; lessons outside a class are skipped.
 */
import { getTableName, isNull, sql } from 'drizzle-orm';
import { alias, doublePrecision, timestamp, varchar } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import { sqlIdentifier } from '../../db/sql-names.ts';
import { classStudents, lessons, projects, schoolProjects, type LessonVisibility } from '../app-schema.ts';
import { connectTable } from '../../mirror/connect-table.ts';
import { defineMirrorObject } from '../../mirror/define.ts';
import { uuidId } from '../../mirror/payload-ids.ts';
import { columnQualified as q, syncTime } from './source-sql.ts';

export const lessonTable = connectTable('lesson__c', 'lesson_uuid__c', {
  lesson_uuid__c: varchar({ length: 36 }),
  classroom__r__classroomuuid__c: varchar({ length: 36 }),
  classroom__c: varchar({ length: 18 }),
  lessontitle__c: varchar({ length: 255 }),
  teacherprojecttitle__c: varchar({ length: 255 }),
  teacherprojecttype__c: varchar({ length: 255 }),
  // Salesforce Number fields arrive in Connect's tables as double precision.
  numberofassignedprojects__c: doublePrecision(),
  numberofcompletedprojects__c: doublePrecision(),
  lastsyncdate__c: timestamp(),
  createdat__c: timestamp(),
  updatedat__c: timestamp(),
});

// Each value below is a subquery over the lesson row, so a batch still reads its lessons in one
// statement. A lesson has at most one project of its own (projects.lesson_id is unique).
const lessonProject = (column: typeof projects.name | typeof projects.projectType) =>
  sql<string | null>`(SELECT ${q(column)} FROM ${projects} WHERE ${q(projects.lessonId)} = ${q(lessons.id)})`;

const studentsSee: LessonVisibility = 'students';
/** Every student of the class is assigned a lesson visible to students; no one any other lesson. */
const assignedCount = sql<number>`CASE WHEN ${q(lessons.visibility)} = ${studentsSee}
  THEN (SELECT count(*)::int FROM ${classStudents} WHERE ${q(classStudents.schoolClassId)} = ${q(lessons.schoolClassId)})
  ELSE 0 END`;

const remixes = alias(projects, 'remixes');
/** Finished school projects: students' remixes of the lesson's project marked finished. */
const finishedCount = sql<number>`(SELECT count(*)::int FROM ${schoolProjects}
  JOIN ${projects} AS ${sqlIdentifier(getTableName(remixes))} ON ${q(remixes.id)} = ${q(schoolProjects.projectId)}
  JOIN ${projects} ON ${q(projects.id)} = ${q(remixes.remixedFromId)}
  WHERE ${q(projects.lessonId)} = ${q(lessons.id)} AND ${q(schoolProjects.finished)})`;

export const lesson = defineMirrorObject({
  name: 'Lesson__c',
  record: 'Lesson',
  table: lessonTable,
  externalId: 'lesson_uuid__c',
  externalIdField: 'Lesson_UUID__c',
  queue: 'lesson',
  payload: z.strictObject({ lessonId: uuidId }),
  payloadKey: 'lessonId',
  source: { table: lessons, id: lessons.id },
  fields: {
    lesson_uuid__c: lessons.id,
    classroom__r__classroomuuid__c: lessons.schoolClassId,
    lessontitle__c: lessons.name,
    createdat__c: lessons.createdAt,
    updatedat__c: lessons.updatedAt,
    teacherprojecttitle__c: lessonProject(projects.name),
    teacherprojecttype__c: lessonProject(projects.projectType),
    numberofassignedprojects__c: assignedCount,
    numberofcompletedprojects__c: sql<number>`(${q(lessons.submittedProjectsCount)} + ${finishedCount})`,
    lastsyncdate__c: syncTime(),
  },
  skip: { when: isNull(lessons.schoolClassId), reason: 'lessons outside a class are not synced' },
  write: 'upsert',
});
