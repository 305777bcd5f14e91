/** A select over an object's source records, joined as its declaration says. */
import type { SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Drizzle } from '../db/database.ts';
import type { AnyMirrorObject } from '../mirror/object-set.ts';

/**
 * `SELECT <selection> FROM <source> JOIN <declared joins>`, open for `where`, `orderBy` and
 * `limit`. Rows come back keyed as `selection` is; callers say what they expect of them.
 */
export function sourceQuery(db: Drizzle, object: AnyMirrorObject, selection: Record<string, SQL | PgColumn>) {
  let query = db.select(selection).from(object.source.table).$dynamic();
  for (const join of object.source.joins ?? []) query = query.innerJoin(join.table, join.on) as unknown as typeof query;
  return query;
}
