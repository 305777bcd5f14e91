/** Lesson__c: a lesson set in a class. Jobs: `{ lessonId }`; lessons outside a class are skipped. */
import { isNull } from 'drizzle-orm';
import { timestamp, varchar } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import { lessons } from '../app-schema.ts';
import { connectTable } from '../../mirror/connect-table.ts';
import { defineMirrorObject } from '../../mirror/define.ts';
import { uuidId } from '../../mirror/payload-ids.ts';

export const lessonTable = connectTable('lesson__c', 'lesson_uuid__c', {
  lesson_uuid__c: varchar({ length: 36 }),
  name: varchar({ length: 80 }),
  description__c: varchar({ length: 255 }),
  visibility__c: varchar({ length: 40 }),
  classroom__r__classroomuuid__c: varchar({ length: 36 }),
  classroom__c: varchar({ length: 18 }),
  archivedat__c: timestamp(),
  createdat__c: timestamp(),
  updatedat__c: timestamp(),
});

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
    name: lessons.name,
    description__c: lessons.description,
    visibility__c: lessons.visibility,
    classroom__r__classroomuuid__c: lessons.schoolClassId,
    archivedat__c: lessons.archivedAt,
    createdat__c: lessons.createdAt,
    updatedat__c: lessons.updatedAt,
  },
  skip: { when: isNull(lessons.schoolClassId), reason: 'lessons outside a class are not synced' },
  write: 'upsert',
});
