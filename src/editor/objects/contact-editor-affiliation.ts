/**
 * Contact_Editor_Affiliation__c: a person's staff role in a school. Its two lookups make it the
 * object of the original race: written before its Editor__c or Contact is in Salesforce, it fails
 * for good. Jobs: `{ roleId }`; archived roles are synced too (as offboarded).
 */
import { eq, isNull, sql } from 'drizzle-orm';
import { timestamp, varchar } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import { roles, schools } from '../app-schema.ts';
import { connectTable } from '../../mirror/connect-table.ts';
import { defineMirrorObject } from '../../mirror/define.ts';
import { bigintId } from '../../mirror/payload-ids.ts';

export const contactEditorAffiliationTable = connectTable('contact_editor_affiliation__c', 'affiliation_id__c', {
  affiliation_id__c: varchar({ length: 40 }),
  contact__r__pi_accounts_unique_id__c: varchar({ length: 36 }),
  editor__r__editoruuid__c: varchar({ length: 36 }),
  /** The lookups' own sfid columns, filled only when Connect reads the row back. */
  contact__c: varchar({ length: 18 }),
  editor__c: varchar({ length: 18 }),
  roletype__c: varchar({ length: 40 }),
  offboardedat__c: timestamp(),
  createdat__c: timestamp(),
  updatedat__c: timestamp(),
  editor_type__c: varchar({ length: 40 }),
});

export const contactEditorAffiliation = defineMirrorObject({
  name: 'Contact_Editor_Affiliation__c',
  record: 'Role',
  table: contactEditorAffiliationTable,
  externalId: 'affiliation_id__c',
  externalIdField: 'Affiliation_ID__c',
  queue: 'role',
  payload: z.strictObject({ roleId: bigintId }),
  payloadKey: 'roleId',
  source: { table: roles, id: roles.id, joins: [{ table: schools, on: eq(roles.schoolId, schools.id) }] },
  fields: {
    affiliation_id__c: sql`${roles.id}::text`,
    // Editor__c first: a school's Editor is the parent most often still on its way.
    editor__r__editoruuid__c: roles.schoolId,
    contact__r__pi_accounts_unique_id__c: roles.userId,
    roletype__c: roles.role,
    offboardedat__c: roles.archivedAt,
    createdat__c: roles.createdAt,
    updatedat__c: roles.updatedAt,
    editor_type__c: schools.userOrigin,
  },
  skip: { when: eq(roles.role, 'student'), reason: 'student roles are not synced' },
  // A rejected school's staff have no affiliation by design: doctor and repair leave them alone.
  expected: isNull(schools.rejectedAt),
  write: 'upsert',
});
