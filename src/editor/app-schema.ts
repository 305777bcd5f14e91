/**
 * The host app's own tables, modelled on the editor app whose records are synced: schools,
 * the roles people hold in them, classes, class teachers and lessons. drizzle-kit writes the
 * migrations in migrations/app from this file.
 */
import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, pgEnum, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';

/** Which product a school signed up through; becomes Editor__c.EditorType__c. */
export const userOrigin = pgEnum('user_origin', ['for_education', 'experience_cs']);
/** A person's role in a school. A user holds roles in one school only; a student holds no other. */
export const roleName = pgEnum('role_name', ['student', 'teacher', 'owner']);

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
};

export const schools = pgTable(
  'schools',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    website: text('website'),
    addressLine1: text('address_line_1'),
    addressLine2: text('address_line_2'),
    municipality: text('municipality'),
    administrativeArea: text('administrative_area'),
    postalCode: text('postal_code'),
    countryCode: text('country_code'),
    reference: text('reference'),
    districtName: text('district_name'),
    districtNcesId: text('district_nces_id'),
    schoolRollNumber: text('school_roll_number'),
    /** The identity provider's subject uuid of the user who created the school. */
    creatorId: uuid('creator_id').notNull(),
    creatorAgreeToUxContact: boolean('creator_agree_to_ux_contact').notNull().default(false),
    userOrigin: userOrigin('user_origin').notNull().default('for_education'),
    verifiedAt: timestamp('verified_at', { withTimezone: true }),
    rejectedAt: timestamp('rejected_at', { withTimezone: true }),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    check('schools_verified_or_rejected', sql`${t.verifiedAt} IS NULL OR ${t.rejectedAt} IS NULL`),
    index('schools_creator_id_idx').on(t.creatorId),
  ],
);

export const roles = pgTable(
  'roles',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    role: roleName('role').notNull(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    /** The identity provider's subject uuid; the Contact's Pi_Accounts_Unique_ID__c. */
    userId: uuid('user_id').notNull(),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [index('roles_school_id_idx').on(t.schoolId), index('roles_user_id_idx').on(t.userId)],
);

export const schoolClasses = pgTable(
  'school_classes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    name: text('name').notNull(),
    description: text('description'),
    ...timestamps,
  },
  (t) => [index('school_classes_school_id_idx').on(t.schoolId)],
);

export const classTeachers = pgTable(
  'class_teachers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolClassId: uuid('school_class_id')
      .notNull()
      .references(() => schoolClasses.id),
    teacherId: uuid('teacher_id').notNull(),
    ...timestamps,
  },
  (t) => [unique('class_teachers_class_teacher_key').on(t.schoolClassId, t.teacherId)],
);

export const lessons = pgTable(
  'lessons',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id').references(() => schools.id),
    /** A lesson outside any class is a user's own and is not synced. */
    schoolClassId: uuid('school_class_id').references(() => schoolClasses.id),
    userId: uuid('user_id').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    visibility: text('visibility').notNull().default('private'),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [index('lessons_school_class_id_idx').on(t.schoolClassId)],
);
