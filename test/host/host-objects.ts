/**
 * A host app that has never heard of schools: its own Drizzle tables (accounts and the employees
 * who work for them) and its own two Salesforce objects, an Employee__c looking up its Account by
 * external id. Written as a host would write it, against the public interface only.
 */
import { sql } from 'drizzle-orm';
import { bigint, pgTable, text, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import { bigintId, connectTable, defineMirrorObject, uuidId } from '../../src/index.ts';

export const accounts = pgTable('accounts', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const employees = pgTable('employees', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  accountId: uuid('account_id')
    .notNull()
    .references(() => accounts.id),
  fullName: text('full_name').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** The host's own migration, as drizzle-kit would write it. */
export const hostTablesSql = `
  CREATE TABLE accounts (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
  CREATE TABLE employees (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, account_id uuid NOT NULL REFERENCES accounts(id),
    full_name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());`;

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
  fields: { employee_id__c: sql`${employees.id}::text`, name: employees.fullName, account__r__account_uuid__c: employees.accountId },
  write: 'upsert',
});
