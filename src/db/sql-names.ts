/**
 * Names in SQL: connect-sync's own schema, spelled here once, and the one quoting rule every
 * identifier goes through (Postgres's: double quotes, an inner quote doubled), whether the SQL is
 * text (`identifierQuote`) or Drizzle's (`sqlIdentifier`, the same rule).
 */
import { sql, type SQL } from 'drizzle-orm';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';

/** The schema connect-sync keeps its tables, functions and views in. */
export const syncSchema = 'connect_sync';

/**
 * The longest name Postgres keeps, in bytes (NAMEDATALEN - 1; a multi-byte character counts each
 * of its bytes). A longer name is cut to this without an error, so it names another object.
 */
export const identifierBytesMax = 63;

/** `name` as a quoted SQL identifier, safe whatever it holds. */
export function identifierQuote(name: string): string {
  if (name.length === 0 || name.includes('\0')) throw new TypeError(`An SQL identifier must be non-empty text without NUL characters; got ${JSON.stringify(name)}`);
  return `"${name.replace(/"/g, '""')}"`;
}

/** `name` quoted, for Drizzle's sql template. */
export function sqlIdentifier(name: string): SQL {
  return sql.raw(identifierQuote(name));
}

/** `schema.name`, both quoted, as text. */
export function qualifiedName(schema: string, name: string): string {
  return `${identifierQuote(schema)}.${identifierQuote(name)}`;
}

/** A table or view of connect-sync's own schema, for Drizzle's sql template. */
export function syncTable(name: string): SQL {
  return sql.raw(qualifiedName(syncSchema, name));
}

/** A Drizzle table's `schema.name`, both quoted, as text (a table declared without a schema is in `public`). */
export function tableQuoted(table: PgTable): string {
  const { schema, name } = getTableConfig(table);
  return qualifiedName(schema ?? 'public', name);
}
