/**
 * Classroom__c: a class in a school, with its student count. Jobs: `{ schoolClassId }`; a class
 * is re-synced when it changes and when a teacher or student joins or leaves it.
 */
import { sql } from 'drizzle-orm';
import { doublePrecision, timestamp, varchar } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import { classStudents, schoolClasses } from '../app-schema.ts';
import { connectTable } from '../../mirror/connect-table.ts';
import { defineMirrorObject } from '../../mirror/define.ts';
import { uuidId } from '../../mirror/payload-ids.ts';
import { columnQualified as q, syncTime } from './source-sql.ts';

export const classroomTable = connectTable('classroom__c', 'classroomuuid__c', {
  classroomuuid__c: varchar({ length: 36 }),
  classroomtitle__c: varchar({ length: 255 }),
  editor__r__editoruuid__c: varchar({ length: 36 }),
  editor__c: varchar({ length: 18 }),
  // Salesforce Number fields arrive in Connect's tables as double precision.
  numberofmembers__c: doublePrecision(),
  lastsyncdate__c: timestamp(),
  createdat__c: timestamp(),
  updatedat__c: timestamp(),
});

// A subquery over the class row: the batch's one read counts every class's students.
const classStudentCount = sql<number>`(SELECT count(*)::int FROM ${classStudents} WHERE ${q(classStudents.schoolClassId)} = ${q(schoolClasses.id)})`;

export const classroom = defineMirrorObject({
  name: 'Classroom__c',
  record: 'SchoolClass',
  table: classroomTable,
  externalId: 'classroomuuid__c',
  externalIdField: 'ClassroomUUID__c',
  queue: 'school-class',
  payload: z.strictObject({ schoolClassId: uuidId }),
  payloadKey: 'schoolClassId',
  source: { table: schoolClasses, id: schoolClasses.id },
  fields: {
    classroomuuid__c: schoolClasses.id,
    editor__r__editoruuid__c: schoolClasses.schoolId,
    classroomtitle__c: schoolClasses.name,
    createdat__c: schoolClasses.createdAt,
    updatedat__c: schoolClasses.updatedAt,
    numberofmembers__c: classStudentCount,
    lastsyncdate__c: syncTime(),
  },
  write: 'upsert',
});
