/**
 * The editor app preset (`connect-sync/editor`): its tables, its six Salesforce objects, its
 * operations (one transaction each, jobs enqueued inside) and its config, ready for
 * `connectSync({ ...editorPreset, pool })`.
 */
export { editorPreset, editorObjects } from './preset.ts';
export * as editorTables from './app-schema.ts';
export { editor } from './objects/editor.ts';
export { contact } from './objects/contact.ts';
export { contactEditorAffiliation } from './objects/contact-editor-affiliation.ts';
export { classroom } from './objects/classroom.ts';
export { contactClassroomAffiliation } from './objects/contact-classroom-affiliation.ts';
export { lesson } from './objects/lesson.ts';
export type { AppContext, AppTransaction } from './operations/app-context.ts';
export * from './operations/schools.ts';
export * from './operations/roles.ts';
export * from './operations/classes.ts';
export * from './operations/lessons.ts';
export { schoolsWithoutAffiliation } from './doctor-schools.ts';
