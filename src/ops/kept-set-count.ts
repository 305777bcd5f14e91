/**
 * Counting a kept set (kept-set.ts) again. A whole count reads every subject and keeps exactly
 * the members. A count of the changes adds to the members kept each subject whose rows in the
 * set's change tables are newer than the last count's snapshot horizon (`xmin` at or past the
 * oldest transaction that count could not see) and that is a member, or not ruled out. Members
 * that healed since stay kept until the next whole count: whoever reads the set checks each one
 * again, live (for the schools' check, a pass over a whole mirror table, paid once per read
 * instead of twice).
 *
 * A count of the changes finds every new member unless a row of a loss table was lost since (a
 * mirror row deleted leaves no changed row behind), so the count is whole when one may have been:
 * a loss table's deleted-row counter moved (the server counts a deletion within a second or so of
 * its commit; one counted later is seen by the next count), a table was made again or truncated
 * (its oid or file changed), the server restarted, reset its statistics or does not keep them
 * (`track_counts` off), the declaration changed, or the horizon is old enough for transaction ids
 * to wrap. And at least once a day: a change no counter shows (a mirror row whose external id
 * Salesforce changed, a condition reading a table outside the set's `from`) is found by then.
 */
import { sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Drizzle } from '../db/database.ts';
import { syncTable, tableQuoted } from '../db/sql-names.ts';
import { type KeptSet, membersWhere } from './kept-set.ts';

/** How often a set is counted whole even when nothing says it must be. */
export const keptSetWholeCountEvery = 24 * 60 * 60 * 1000;

/** Past this many transactions since the last count's horizon, `xmin` comparisons could wrap: count whole. */
const horizonAgeLimit = 1_000_000_000;

/** How a set was counted, and why a whole count was needed. */
export interface KeptSetCounted {
  set: string;
  count: 'whole' | 'changes';
  /** Why the count was whole (first reason found); undefined for a count of the changes. */
  reason?: string;
  /** Members kept after the count: a count of the changes may still hold some that healed since. */
  kept: number;
}

/** What a table looked like at a count: replaced or truncated when `oid` or `file` differ. */
interface TableState {
  table: string;
  oid: string;
  file: string;
  /** Rows deleted, as the server's statistics count them (loss tables only). */
  deleted?: string;
}

interface CountState {
  /** What the server's statistics started from: a reset or a restart may have lost a deletion. */
  statsEpoch: string;
  /** The server counts deleted rows (`track_counts`, on by default): without it no loss can be seen. */
  countsDeletions: boolean;
  tables: TableState[];
}

const dialect = new PgDialect();

/** The set's definition as text: a changed declaration is counted whole. */
function definitionText(set: KeptSet): string {
  const { sql: text, params } = dialect.sqlToQuery(sql`SELECT ${set.id} FROM ${set.from} WHERE ${set.member()}`);
  return JSON.stringify([text, params]);
}

async function countStateRead(db: Pick<Drizzle, 'execute'>, set: KeptSet): Promise<CountState | undefined> {
  const tables = [...new Set([...set.changeTables, ...set.lossTables])];
  const loss = new Set(set.lossTables);
  const { rows } = await db.execute<{ table: string; oid: string | null; file: string | null; deleted: string | null }>(
    sql`SELECT t.name AS table, c.oid::text AS oid, c.relfilenode::text AS file, pg_stat_get_tuples_deleted(c.oid)::text AS deleted
          FROM unnest(${sql.param(tables.map(tableQuoted))}::text[]) WITH ORDINALITY AS t(name, n)
          LEFT JOIN pg_class c ON c.oid = to_regclass(t.name)
         ORDER BY t.n`,
  );
  if (rows.some((row) => row.oid === null)) return undefined;
  const { rows: epoch } = await db.execute<{ epoch: string; track_counts: string }>(
    sql`SELECT pg_postmaster_start_time()::text || ' ' || coalesce((SELECT stats_reset::text FROM pg_stat_database WHERE datname = current_database()), '') AS epoch,
               current_setting('track_counts') AS track_counts`,
  );
  return {
    statsEpoch: epoch[0]?.epoch ?? '',
    countsDeletions: epoch[0]?.track_counts === 'on',
    tables: rows.map((row, index) => ({
      table: row.table,
      oid: row.oid ?? '',
      file: row.file ?? '',
      ...(loss.has(tables[index]!) ? { deleted: row.deleted ?? '' } : {}),
    })),
  };
}

/** Why `now` cannot be counted from `kept`'s members alone; undefined when it can. */
function wholeCountReason(kept: { definition: string; state: CountState; horizonAge: number; wholeAt: Date } | undefined, definition: string, now: CountState): string | undefined {
  if (!kept) return 'never counted';
  if (!now.countsDeletions) return 'the server does not count deleted rows (track_counts is off)';
  if (kept.definition !== definition) return 'its declaration changed';
  if (kept.state.statsEpoch !== now.statsEpoch) return 'the server restarted or its statistics were reset';
  for (const table of now.tables) {
    const before = kept.state.tables.find((t) => t.table === table.table);
    if (!before) return `it reads ${table.table} now`;
    if (before.oid !== table.oid || before.file !== table.file) return `${table.table} was made again or truncated`;
    if (before.deleted !== table.deleted) return `rows of ${table.table} were deleted`;
  }
  if (kept.horizonAge > horizonAgeLimit) return 'its last count is too many transactions old';
  if (Date.now() - kept.wholeAt.getTime() > keptSetWholeCountEvery) return 'a day since its last whole count';
  return undefined;
}

/**
 * Counts `set` again on `db` (a transaction: the members and their count state change together),
 * from its members kept when it can. Undefined when a table it reads does not exist now
 * (Connect reloading a mapping): the set is left as it was, and counted whole once it is back.
 */
export async function keptSetCount(db: Pick<Drizzle, 'execute'>, set: KeptSet, options: { whole?: boolean } = {}): Promise<KeptSetCounted | undefined> {
  // Two counts of one set at once would each start from members the other is replacing.
  await db.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`connect_sync kept_set ${set.name}`}))`);
  const definition = definitionText(set);
  // The horizon and the tables' state are read before any row: whatever this count does not see
  // is newer than both, and the next count reads it.
  const { rows: horizon } = await db.execute<{ horizon: string }>(sql`SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS horizon`);
  const now = await countStateRead(db, set);
  if (!now) return undefined;
  const { rows: keptRows } = await db.execute<{ definition: string; tables: CountState; horizon: string; horizon_age: number; full_count_at: Date }>(
    sql`SELECT definition, tables, horizon::text AS horizon, age(xid(horizon)) AS horizon_age, full_count_at FROM ${syncTable('kept_set')} WHERE name = ${set.name}`,
  );
  const last = keptRows[0];
  const kept = last && { definition: last.definition, state: last.tables, horizonAge: Number(last.horizon_age), wholeAt: new Date(last.full_count_at) };
  const reason = options.whole ? 'asked for' : wholeCountReason(kept, definition, now);
  const member = syncTable('kept_set_member');
  const idText = sql`(${set.id})::text`;
  if (reason === undefined && last) {
    // Subjects changed since the last count's horizon, by any table that can bring one in.
    const since = sql`age(xid(${last.horizon}::xid8))`;
    // A joined table's changed rows are named by ctid in an array, which the planner takes for a
    // few rows and joins by index; a filter on xmin it would take for a third of the table.
    const changed = sql.join(
      set.changeTables.map((table) =>
        table === set.id.table
          ? sql`SELECT ${set.id} FROM ${table} WHERE age(${table}.xmin) <= ${since}`
          : sql`SELECT ${set.id} FROM ${set.from} WHERE ${table}.ctid = ANY(ARRAY(SELECT ctid FROM ${table} WHERE age(xmin) <= ${since}))`,
      ),
      sql` UNION `,
    );
    const candidates = sql`ARRAY(${changed})`;
    const keep = set.ruledOut ? sql`${set.id} = ANY(${candidates}) AND NOT (${set.ruledOut})` : membersWhere(set, candidates);
    await db.execute(sql`INSERT INTO ${member} (set_name, source_id)
      SELECT ${set.name}, ${idText} FROM ${set.from} WHERE ${keep}
      ON CONFLICT DO NOTHING`);
  } else {
    await db.execute(sql`INSERT INTO ${syncTable('kept_set')} (name, definition, horizon, tables, counted_at, full_count_at)
      VALUES (${set.name}, ${definition}, ${horizon[0]!.horizon}::xid8, ${JSON.stringify(now)}::jsonb, now(), now())
      ON CONFLICT (name) DO NOTHING`);
    await db.execute(sql`DELETE FROM ${member} WHERE set_name = ${set.name}`);
    await db.execute(sql`INSERT INTO ${member} (set_name, source_id)
      SELECT DISTINCT ${set.name}, ${idText} FROM ${set.from} WHERE ${membersWhere(set)}`);
  }
  await db.execute(sql`UPDATE ${syncTable('kept_set')}
      SET definition = ${definition}, horizon = ${horizon[0]!.horizon}::xid8, tables = ${JSON.stringify(now)}::jsonb, counted_at = now()
          ${reason === undefined ? sql`` : sql`, full_count_at = now()`}
    WHERE name = ${set.name}`);
  const { rows: count } = await db.execute<{ kept: number }>(sql`SELECT count(*)::int AS kept FROM ${member} WHERE set_name = ${set.name}`);
  return { set: set.name, count: reason === undefined ? 'changes' : 'whole', ...(reason === undefined ? {} : { reason }), kept: count[0]?.kept ?? 0 };
}
