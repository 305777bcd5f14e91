/**
 * Contact: a person, created in Salesforce by the upstream accounts pipeline, never by us.
 * We only update the school creator's consent on a Contact that exists, and wait while it does
 * not. Jobs: `{ schoolId }`.
 */
import { boolean, varchar } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import { schools } from '../app-schema.ts';
import { connectTable } from '../../mirror/connect-table.ts';
import { defineMirrorObject } from '../../mirror/define.ts';
import { uuidId } from '../../mirror/payload-ids.ts';

export const contactTable = connectTable('contact', 'pi_accounts_unique_id__c', {
  pi_accounts_unique_id__c: varchar({ length: 36 }),
  firstname: varchar({ length: 40 }),
  lastname: varchar({ length: 80 }),
  email: varchar({ length: 80 }),
  editor_consent_to_ux_contact__c: boolean(),
});

export const contact = defineMirrorObject({
  name: 'Contact',
  record: 'School',
  table: contactTable,
  externalId: 'pi_accounts_unique_id__c',
  externalIdField: 'Pi_Accounts_Unique_ID__c',
  queue: 'contact',
  payload: z.strictObject({ schoolId: uuidId }),
  payloadKey: 'schoolId',
  source: { table: schools, id: schools.id },
  fields: {
    pi_accounts_unique_id__c: schools.creatorId,
    editor_consent_to_ux_contact__c: schools.creatorAgreeToUxContact,
  },
  write: 'update',
});
