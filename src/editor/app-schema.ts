/**
 * The host app's own tables, modelled on the editor app whose records are synced: schools,
 * the roles people hold in them, classes with their teachers and students, lessons with their
 * project, and students' school projects (remixes of a lesson's project). drizzle-kit writes the
 * migrations in migrations/editor from this file.
 */
import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, pgEnum, pgTable, text, timestamp, unique, uuid, type AnyPgColumn } from 'drizzle-orm/pg-core';

/** Which product a school signed up through; becomes Editor__c.EditorType__c. */
export const userOrigin = pgEnum('user_origin', ['for_education', 'experience_cs']);
/** A person's role in a school. A user holds roles in one school only; a student holds no other. */
export const roleName = pgEnum('role_name', ['student', 'teacher', 'owner']);
/** Where a student's school project is in its submission to the teacher. */
export const schoolProjectState = pgEnum('school_project_state', ['unsubmitted', 'submitted', 'returned', 'complete']);

/** Who may see a lesson; only a lesson visible to `students` is assigned to each student of its class. */
export const lessonVisibilities = ['private', 'teachers', 'students', 'public'] as const;
/** One of {@link lessonVisibilities}. */
export type LessonVisibility = (typeof lessonVisibilities)[number];

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
    ...timestamps,
  },
  (t) => [index('school_classes_school_id_idx').on(t.schoolId)],
);

export const classTeachers = pgTable(
  'class_teachers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // A class's teachers and students go with it, as the app's `dependent: :destroy` has them.
    schoolClassId: uuid('school_class_id')
      .notNull()
      .references(() => schoolClasses.id, { onDelete: 'cascade' }),
    teacherId: uuid('teacher_id').notNull(),
    ...timestamps,
  },
  (t) => [unique('class_teachers_class_teacher_key').on(t.schoolClassId, t.teacherId)],
);

/** A student in a class; a class's student count is its Classroom__c.NumberOfMembers__c. */
export const classStudents = pgTable(
  'class_students',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolClassId: uuid('school_class_id')
      .notNull()
      .references(() => schoolClasses.id, { onDelete: 'cascade' }),
    /** The identity provider's subject uuid of a user holding the school's student role. */
    studentId: uuid('student_id').notNull(),
    ...timestamps,
  },
  (t) => [unique('class_students_class_student_key').on(t.schoolClassId, t.studentId)],
);

export const lessons = pgTable(
  'lessons',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id').references(() => schools.id),
    /** A lesson outside any class is a user's own and is not synced. A deleted class's lessons stay, outside it. */
    schoolClassId: uuid('school_class_id').references(() => schoolClasses.id, { onDelete: 'set null' }),
    userId: uuid('user_id').notNull(),
    name: text('name').notNull(),
    visibility: text('visibility').$type<LessonVisibility>().notNull().default('private'),
    /** Students' projects submitted to the teacher, recounted (a lesson update) as they change. */
    submittedProjectsCount: integer('submitted_projects_count').notNull().default(0),
    /** Kept in the app only: Salesforce is not told about an archived lesson. */
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    index('lessons_school_class_id_idx').on(t.schoolClassId),
    check('lessons_visibility_known', sql`${t.visibility} IN ('private', 'teachers', 'students', 'public')`),
  ],
);

/**
 * A project: a lesson's own (the teacher's, `lessonId` set, one per lesson) or a remix of one
 * (`remixedFromId` set), which is what a student works on.
 */
export const projects = pgTable(
  'projects',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    lessonId: uuid('lesson_id').references(() => lessons.id),
    remixedFromId: uuid('remixed_from_id').references((): AnyPgColumn => projects.id),
    userId: uuid('user_id').notNull(),
    name: text('name').notNull(),
    /** `python`, `html`, `scratch` …; becomes Lesson__c.TeacherProjectType__c. */
    projectType: text('project_type').notNull().default('python'),
    ...timestamps,
  },
  (t) => [unique('projects_lesson_id_key').on(t.lessonId), index('projects_remixed_from_id_idx').on(t.remixedFromId)],
);

/** A student's remix of a lesson's project, in a school: whether it is finished, and submitted. */
export const schoolProjects = pgTable(
  'school_projects',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    projectId: uuid('project_id')
      .notNull()
      .references(() => projects.id),
    finished: boolean('finished').notNull().default(false),
    state: schoolProjectState('state').notNull().default('unsubmitted'),
    ...timestamps,
  },
  (t) => [unique('school_projects_project_id_key').on(t.projectId)],
);
