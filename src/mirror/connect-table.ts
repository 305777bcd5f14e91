/**
 * The shape Heroku Connect gives every mapped table in its schema (`salesforce` unless the add-on
 * was set up with another): its system columns and unique indexes, around the object's own
 * fields. Column names are the Salesforce field names lower-cased, as Connect writes them.
 */
import { getTableColumns, type BuildColumns } from 'drizzle-orm';
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
import { MirrorObjectDeclarationError, mirrorNameCheck } from './define.ts';

/** The schema Heroku Connect writes to unless its add-on was set up with another. */
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
export type ConnectTable<
  TName extends string,
  TColumns extends Record<string, PgColumnBuilderBase>,
  TSchema extends string = 'salesforce',
> = PgTableWithColumns<{
  name: TName;
  schema: TSchema;
  columns: BuildColumns<TName, ReturnType<typeof systemColumns> & TColumns, 'pg'>;
  dialect: 'pg';
}>;

/** Where Heroku Connect keeps a mirror table. */
export interface ConnectTableOptions<TSchema extends string = 'salesforce'> {
  /**
   * The schema the Heroku Connect add-on writes to, as chosen when it was set up (default
   * `salesforce`). Every mirror table of one app is in the same one: the declared objects are
   * refused together otherwise.
   */
  schema?: TSchema;
}

/**
 * A mirror table: Connect's system columns plus `columns`, with the unique indexes Connect
 * creates on `sfid` and on the external id, in `options.schema` (default `salesforce`).
 */
export function connectTable<TName extends string, TColumns extends Record<string, PgColumnBuilderBase>, TSchema extends string = 'salesforce'>(
  name: TName,
  externalId: keyof TColumns & string,
  columns: TColumns,
  options: ConnectTableOptions<TSchema> = {},
): ConnectTable<TName, TColumns, TSchema> {
  mirrorNameCheck('table', name);
  const schema = pgSchema(mirrorSchemaCheck(name, options.schema ?? (salesforceSchema.schemaName as TSchema)));
  const table = schema.table(name, { ...systemColumns(), ...columns }, (t) => [
    uniqueIndex(`hcu_idx_${name}_sfid`).on(t.sfid),
    uniqueIndex(`hcu_idx_${name}_${externalId}`).on(t[externalId]),
  ]);
  // Read off the built table: a column's name is its key unless its builder was given another.
  for (const column of Object.values(getTableColumns(table))) mirrorNameCheck('column', column.name, name);
  return table;
}

/** Any name Postgres takes will do, but not `public`: Connect's tables are in a schema of their own. */
function mirrorSchemaCheck<TSchema extends string>(table: string, schema: TSchema): TSchema {
  if (typeof schema !== 'string' || schema.length === 0 || schema.includes('\0')) {
    throw new MirrorObjectDeclarationError(`${table}: the mirror schema must be a non-empty name without NUL characters`);
  }
  mirrorNameCheck('schema', schema, table);
  if (schema === 'public') {
    throw new MirrorObjectDeclarationError(`${table}: Heroku Connect keeps its mirror tables in a schema of their own, not in public; name the one its add-on writes to`);
  }
  return schema;
}
