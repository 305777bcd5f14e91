/**
 * The shape Heroku Connect gives every mapped table in the `salesforce` schema: its system
 * columns and unique indexes, around the object's own fields. Column names are the Salesforce
 * field names lower-cased, as Connect writes them.
 */
import type { BuildColumns } from 'drizzle-orm';
import {
  boolean,
  integer,
  pgSchema,
  text,
  timestamp,
  uniqueIndex,
  varchar,
  type PgColumnBuilderBase,
  type PgTableWithColumns,
} from 'drizzle-orm/pg-core';

/** The schema Heroku Connect owns in production. */
export const salesforceSchema = pgSchema('salesforce');

/** Salesforce record ids are 18 characters. */
export const sfidLength = 18;

function systemColumns() {
  return {
    id: integer().primaryKey().generatedByDefaultAsIdentity(),
    /** Salesforce's id for the record; set by Connect once Salesforce has accepted it. */
    sfid: varchar({ length: sfidLength }),
    systemmodstamp: timestamp(),
    createddate: timestamp(),
    isdeleted: boolean(),
    /** Connect's last operation on the row: PENDING, INSERTED, UPDATED, SYNCED, FAILED … */
    _hc_lastop: varchar({ length: 32 }),
    /** Connect's last error for the row, as Salesforce's JSON. */
    _hc_err: text(),
  };
}

/** The table connectTable returns, spelled out so the published .d.ts is complete (tsc's inferred one is not). */
export type ConnectTable<TName extends string, TColumns extends Record<string, PgColumnBuilderBase>> = PgTableWithColumns<{
  name: TName;
  schema: 'salesforce';
  columns: BuildColumns<TName, ReturnType<typeof systemColumns> & TColumns, 'pg'>;
  dialect: 'pg';
}>;

/**
 * A mirror table: Connect's system columns plus `columns`, with the unique indexes Connect
 * creates on `sfid` and on the external id.
 */
export function connectTable<TName extends string, TColumns extends Record<string, PgColumnBuilderBase>>(
  name: TName,
  externalId: keyof TColumns & string,
  columns: TColumns,
): ConnectTable<TName, TColumns> {
  return salesforceSchema.table(name, { ...systemColumns(), ...columns }, (t) => [
    uniqueIndex(`hcu_idx_${name}_sfid`).on(t.sfid),
    uniqueIndex(`hcu_idx_${name}_${externalId}`).on(t[externalId]),
  ]);
}
