/**
 * SQL pieces the editor's declarations read values with, inside the sync's one read per batch:
 * the time of the sync, and column references that stay qualified in a correlated subquery.
 */
import { getTableName, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { sqlIdentifier } from '../../db/sql-names.ts';

/**
 * The time of the sync, as UTC wall-clock text: mirror timestamps carry no zone (Connect writes
 * UTC), and naming the zone keeps the value right whatever the session's TimeZone is.
 */
export function syncTime(): SQL<string> {
  return sql<string>`(now() AT TIME ZONE 'UTC')`;
}

/**
 * `"table"."column"`, always. Drizzle drops the table from the columns of a single-table select,
 * which inside a subquery would tie `class_students.school_class_id = school_classes.id` to the
 * subquery's own table and count every row.
 */
export function columnQualified(column: PgColumn): SQL {
  return sql`${sqlIdentifier(getTableName(column.table))}.${sqlIdentifier(column.name)}`;
}
