/**
 * Mirror timestamps read to the microsecond. A value that passed through a JavaScript `Date`
 * would be cut to the millisecond (app `13:59:07.471714`, mirror `13:59:07.471`), so a timestamp
 * field is read as Postgres's own text and written back by Postgres's own cast: never a `Date`.
 *
 * Connect's mirror timestamps carry no zone and hold UTC. A zoned source (`timestamptz`) becomes
 * UTC wall clock by naming the zone, not by the session's TimeZone (a host's pool may have any);
 * a zone-less source (a host's `timestamp(6)`) is taken as the UTC wall clock it already is.
 */
import { is, sql, SQL } from 'drizzle-orm';
import { PgTimestamp, PgTimestampString, type PgColumn } from 'drizzle-orm/pg-core';

/** Whether `column` is a timestamp with a zone; undefined when it is no timestamp at all. */
function timestampZoned(column: unknown): boolean | undefined {
  // `is` compares drizzle's entity kinds, not classes: a host's own copy of drizzle-orm still counts.
  if (is(column, PgTimestamp) || is(column, PgTimestampString)) return column.withTimezone;
  return undefined;
}

/**
 * How the value of `source` is read for the mirror column `mirrorColumn`: a timestamp column as
 * exact text in the mirror column's own terms (UTC wall clock, or an instant when the mirror
 * column is zoned), anything else as it is. An SQL expression filling a timestamp is read as its
 * text, its type unknown here: it should give UTC wall clock (`now() AT TIME ZONE 'UTC'`), since a
 * `timestamptz` is printed with the session's offset, which a zone-less mirror column drops.
 */
export function timestampRead<T extends PgColumn | SQL>(mirrorColumn: PgColumn, source: T): T | SQL<string> {
  const mirrorZoned = timestampZoned(mirrorColumn);
  if (mirrorZoned === undefined) return source;
  if (is(source, SQL)) return sql<string>`(${source})::text`;
  // Converting between zoned and zone-less reads the zone-less side as UTC.
  return (timestampZoned(source) ?? false) === mirrorZoned ? sql<string>`${source}::text` : sql<string>`(${source} AT TIME ZONE 'UTC')::text`;
}
