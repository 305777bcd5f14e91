/** Classroom__c: a class in a school. Jobs: `{ schoolClassId }`. */
import { timestamp, varchar } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import { schoolClasses } from '../app-schema.ts';
import { connectTable } from '../../mirror/connect-table.ts';
import { defineMirrorObject } from '../../mirror/define.ts';
import { uuidId } from '../../mirror/payload-ids.ts';

export const classroomTable = connectTable('classroom__c', 'classroomuuid__c', {
  classroomuuid__c: varchar({ length: 36 }),
  name: varchar({ length: 80 }),
  description__c: varchar({ length: 255 }),
  editor__r__editoruuid__c: varchar({ length: 36 }),
  editor__c: varchar({ length: 18 }),
  createdat__c: timestamp(),
  updatedat__c: timestamp(),
});

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
    name: schoolClasses.name,
    description__c: schoolClasses.description,
    editor__r__editoruuid__c: schoolClasses.schoolId,
    createdat__c: schoolClasses.createdAt,
    updatedat__c: schoolClasses.updatedAt,
  },
  write: 'upsert',
});
