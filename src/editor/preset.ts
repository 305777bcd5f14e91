/**
 * The editor app as one preset beside the core: its six Salesforce objects, its own migrations
 * (schools, roles, classes with their teachers and students, lessons, projects and school projects) and the seed's school classification for the
 * doctor. The demo and the tests use it; this repository's own config file names it.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, syncConfigResolve } from '../sync-config.ts';
import { schoolsWithoutAffiliation } from './doctor-schools.ts';
import { classroom } from './objects/classroom.ts';
import { contactClassroomAffiliation } from './objects/contact-classroom-affiliation.ts';
import { contactEditorAffiliation } from './objects/contact-editor-affiliation.ts';
import { contact } from './objects/contact.ts';
import { editor } from './objects/editor.ts';
import { lesson } from './objects/lesson.ts';

/** The editor app's objects, parents first. */
export const editorObjects = [editor, contact, contactEditorAffiliation, classroom, contactClassroomAffiliation, lesson] as const;

export const editorPreset = defineConfig({
  objects: editorObjects,
  appMigrations: { folder: fileURLToPath(new URL('../../migrations/editor/', import.meta.url)), table: 'app_migrations' },
  doctorChecks: [schoolsWithoutAffiliation],
});

/** The preset resolved: its objects as a set, for code that runs on the editor app alone. */
export const editorConfig = syncConfigResolve(editorPreset);
