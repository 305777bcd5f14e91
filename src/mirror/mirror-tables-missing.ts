/**
 * Which mirror tables are missing right now. Heroku Connect owns the mirror schema: it drops
 * a mapping's table and makes it again when the mapping is recreated or reloaded, so for a while
 * a statement naming it fails with `relation does not exist` (SQLSTATE 42P01). The sync, the
 * doctor and the waker ask this only after such a failure (or before reading what may be gone),
 * to say which table is missing and to decide what that means.
 */
import { sql } from 'drizzle-orm';
import type { Drizzle } from '../db/database.ts';
import { mirrorTableQuoted } from './mirror-table-name.ts';
import type { AnyMirrorObject } from './object-set.ts';

/** SQLSTATE undefined_table: a statement named a table that does not exist. */
export const undefinedTableState = '42P01';

/** The objects among `objects` whose mirror table does not exist now (none: all are there). */
export async function mirrorTablesMissing(db: Pick<Drizzle, 'execute'>, objects: readonly AnyMirrorObject[]): Promise<AnyMirrorObject[]> {
  const unique = [...new Set(objects)];
  if (unique.length === 0) return [];
  const { rows } = await db.execute<{ missing: boolean[] }>(
    sql`SELECT array_agg(to_regclass(t) IS NULL ORDER BY n) AS missing FROM unnest(${sql.param(unique.map(mirrorTableQuoted))}::text[]) WITH ORDINALITY AS u(t, n)`,
  );
  const missing = rows[0]?.missing ?? [];
  return unique.filter((_, index) => missing[index] === true);
}
