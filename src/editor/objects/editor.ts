/** Editor__c: a school, as Salesforce knows it. Jobs: `{ schoolId, isCreate }`. */
import { timestamp, varchar } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import { schools } from '../app-schema.ts';
import { connectTable } from '../../mirror/connect-table.ts';
import { defineMirrorObject } from '../../mirror/define.ts';
import { uuidId } from '../../mirror/payload-ids.ts';

export const editorTable = connectTable('editor__c', 'editoruuid__c', {
  editoruuid__c: varchar({ length: 36 }),
  name: varchar({ length: 255 }),
  editorreference__c: varchar({ length: 255 }),
  addressline1__c: varchar({ length: 255 }),
  addressline2__c: varchar({ length: 255 }),
  editormunicipality__c: varchar({ length: 255 }),
  editoradministrativearea__c: varchar({ length: 255 }),
  editortype__c: varchar({ length: 40 }),
  postcode__c: varchar({ length: 40 }),
  countrycode__c: varchar({ length: 10 }),
  verifiedat__c: timestamp(),
  createdat__c: timestamp(),
  updatedat__c: timestamp(),
  rejectedat__c: timestamp(),
  website__c: varchar({ length: 255 }),
  districtnamesupplied__c: varchar({ length: 255 }),
  ncesid__c: varchar({ length: 40 }),
  schoolrollnumber__c: varchar({ length: 40 }),
  discardedat__c: timestamp(),
  status__c: varchar({ length: 40 }),
});

export const editor = defineMirrorObject({
  name: 'Editor__c',
  record: 'School',
  table: editorTable,
  externalId: 'editoruuid__c',
  externalIdField: 'EditorUUID__c',
  queue: 'school',
  payload: z.strictObject({ schoolId: uuidId, isCreate: z.boolean().default(false) }),
  payloadKey: 'schoolId',
  payloadOnCreate: { isCreate: true },
  source: { table: schools, id: schools.id },
  fields: {
    editoruuid__c: schools.id,
    name: schools.name,
    editorreference__c: schools.reference,
    addressline1__c: schools.addressLine1,
    addressline2__c: schools.addressLine2,
    editormunicipality__c: schools.municipality,
    editoradministrativearea__c: schools.administrativeArea,
    editortype__c: schools.userOrigin,
    postcode__c: schools.postalCode,
    countrycode__c: schools.countryCode,
    verifiedat__c: schools.verifiedAt,
    createdat__c: schools.createdAt,
    updatedat__c: schools.updatedAt,
    rejectedat__c: schools.rejectedAt,
    website__c: schools.website,
    districtnamesupplied__c: schools.districtName,
    ncesid__c: schools.districtNcesId,
    schoolrollnumber__c: schools.schoolRollNumber,
    discardedat__c: schools.archivedAt,
  },
  // A school enters Salesforce as New; later syncs leave the status to Salesforce's own process.
  payloadFields: (payload) => ({ status__c: payload.isCreate ? 'New' : undefined }),
  write: 'upsert',
});
