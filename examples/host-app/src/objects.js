// The two Salesforce objects this app syncs, each declared once against its own table.
// Employee__c looks its Account up by external id (account__r__account_uuid__c), so connect-sync
// writes an employee only once its account is in Salesforce.
import { sql } from 'drizzle-orm';
import { timestamp, varchar } from 'drizzle-orm/pg-core';
import { bigintId, connectTable, defineMirrorObject, uuidId, z } from 'connect-sync';
import { accounts, employees } from './schema.js';

export const account = defineMirrorObject({
  name: 'Account',
  record: 'Account',
  table: connectTable('account', 'account_uuid__c', {
    account_uuid__c: varchar({ length: 36 }),
    name: varchar({ length: 255 }),
    createdat__c: timestamp(),
  }),
  externalId: 'account_uuid__c',
  externalIdField: 'Account_UUID__c',
  queue: 'account',
  payload: z.strictObject({ accountId: uuidId }),
  payloadKey: 'accountId',
  source: { table: accounts, id: accounts.id },
  fields: { account_uuid__c: accounts.id, name: accounts.name, createdat__c: accounts.createdAt },
  write: 'upsert',
});

export const employee = defineMirrorObject({
  name: 'Employee__c',
  record: 'Employee',
  table: connectTable('employee__c', 'employee_id__c', {
    employee_id__c: varchar({ length: 40 }),
    name: varchar({ length: 80 }),
    account__r__account_uuid__c: varchar({ length: 36 }),
    account__c: varchar({ length: 18 }),
  }),
  externalId: 'employee_id__c',
  externalIdField: 'Employee_ID__c',
  queue: 'employee',
  payload: z.strictObject({ employeeId: bigintId }),
  payloadKey: 'employeeId',
  source: { table: employees, id: employees.id },
  fields: {
    employee_id__c: sql`${employees.id}::text`,
    name: employees.fullName,
    account__r__account_uuid__c: employees.accountId,
  },
  write: 'upsert',
});
