/** Contact_Classroom_Affiliation__c: a teacher of a class. Jobs: `{ classTeacherId }`. */
import { timestamp, varchar } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import { classTeachers } from '../app-schema.ts';
import { connectTable } from '../../mirror/connect-table.ts';
import { defineMirrorObject } from '../../mirror/define.ts';
import { uuidId } from '../../mirror/payload-ids.ts';

export const contactClassroomAffiliationTable = connectTable('contact_classroom_affiliation__c', 'affiliation_id__c', {
  affiliation_id__c: varchar({ length: 36 }),
  classroom__r__classroomuuid__c: varchar({ length: 36 }),
  contact__r__pi_accounts_unique_id__c: varchar({ length: 36 }),
  classroom__c: varchar({ length: 18 }),
  contact__c: varchar({ length: 18 }),
  createdat__c: timestamp(),
  updatedat__c: timestamp(),
});

export const contactClassroomAffiliation = defineMirrorObject({
  name: 'Contact_Classroom_Affiliation__c',
  record: 'ClassTeacher',
  table: contactClassroomAffiliationTable,
  externalId: 'affiliation_id__c',
  externalIdField: 'Affiliation_ID__c',
  queue: 'class-teacher',
  payload: z.strictObject({ classTeacherId: uuidId }),
  payloadKey: 'classTeacherId',
  source: { table: classTeachers, id: classTeachers.id },
  fields: {
    affiliation_id__c: classTeachers.id,
    classroom__r__classroomuuid__c: classTeachers.schoolClassId,
    contact__r__pi_accounts_unique_id__c: classTeachers.teacherId,
    createdat__c: classTeachers.createdAt,
    updatedat__c: classTeachers.updatedAt,
  },
  write: 'upsert',
});
