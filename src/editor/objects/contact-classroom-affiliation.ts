/**
 * Contact_Classroom_Affiliation__c: a teacher of a class. Two lookups, checked in this order:
 * the Classroom__c, then the teacher's Contact. Jobs: `{ classTeacherId }`.
 */
import { timestamp, varchar } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import { classTeachers } from '../app-schema.ts';
import { connectTable } from '../../mirror/connect-table.ts';
import { defineMirrorObject } from '../../mirror/define.ts';
import { uuidId } from '../../mirror/payload-ids.ts';

export const contactClassroomAffiliationTable = connectTable('contact_classroom_affiliation__c', 'contactclassroomaffiliationuuid__c', {
  contactclassroomaffiliationuuid__c: varchar({ length: 36 }),
  classroom__r__classroomuuid__c: varchar({ length: 36 }),
  contact_teacher__r__pi_accounts_unique_id__c: varchar({ length: 36 }),
  /** The lookups' own sfid columns, filled only when Connect reads the row back. */
  classroom__c: varchar({ length: 18 }),
  contact_teacher__c: varchar({ length: 18 }),
  createdat__c: timestamp(),
  updatedat__c: timestamp(),
});

export const contactClassroomAffiliation = defineMirrorObject({
  name: 'Contact_Classroom_Affiliation__c',
  record: 'ClassTeacher',
  table: contactClassroomAffiliationTable,
  externalId: 'contactclassroomaffiliationuuid__c',
  externalIdField: 'ContactClassroomAffiliationUUID__c',
  queue: 'class-teacher',
  payload: z.strictObject({ classTeacherId: uuidId }),
  payloadKey: 'classTeacherId',
  source: { table: classTeachers, id: classTeachers.id },
  fields: {
    contactclassroomaffiliationuuid__c: classTeachers.id,
    // Classroom__c first: the parent guard checks lookups in this order.
    classroom__r__classroomuuid__c: classTeachers.schoolClassId,
    contact_teacher__r__pi_accounts_unique_id__c: classTeachers.teacherId,
    createdat__c: classTeachers.createdAt,
    updatedat__c: classTeachers.updatedAt,
  },
  write: 'upsert',
});
