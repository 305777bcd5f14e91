/**
 * The mirror tables, for drizzle-kit: it writes migrations/mirror from these. Applied only by
 * `connect-sync migrate --mirror` (development and tests); in production Heroku Connect owns them.
 */
export { editorTable } from './objects/editor.ts';
export { contactTable } from './objects/contact.ts';
export { contactEditorAffiliationTable } from './objects/contact-editor-affiliation.ts';
export { classroomTable } from './objects/classroom.ts';
export { contactClassroomAffiliationTable } from './objects/contact-classroom-affiliation.ts';
export { lessonTable } from './objects/lesson.ts';
export { salesforceSchema } from './connect-table.ts';
