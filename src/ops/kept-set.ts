/**
 * A kept set: the subjects of one of the doctor's findings (a declared object's records with no
 * mirror row, a preset check's subjects), as the last count found them, kept in
 * `connect_sync.kept_set_member` by the id of their source row. Finding them anew is an anti-join
 * of whole tables, seconds at ten million mirror rows; most counts instead start from the last
 * one and look only at rows changed since (kept-set-count.ts). The doctor's functions read the
 * members with the finding's condition checked again, live, so a healed subject never shows.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { syncTable } from '../db/sql-names.ts';

export interface KeptSet {
  /** Unique among sets, e.g. `missing_rows:Editor__c`, `check:schools`. */
  name: string;
  /** The subjects' id column; members are kept by it. Its table is the first of `from`. */
  id: PgColumn;
  /** The subjects' table with whatever joins `member` reads (`FROM` without the keyword). */
  from: SQL;
  /**
   * Tables of `from` whose new or changed rows can bring a subject in (a new school, a role turned
   * from student to staff, a school no longer rejected): each count reads their rows changed since
   * the last one, by `xmin`. Deleting their rows only takes subjects out.
   */
  changeTables: readonly PgTable[];
  /**
   * Tables whose lost rows bring subjects in without changing any row of `changeTables` (a mirror
   * row deleted, a mirror table truncated or made again by Connect): the next count is whole.
   */
  lossTables: readonly PgTable[];
  /**
   * The condition a subject of `from` meets to be a member. `candidates`, when given, is an array
   * of the ids being checked (the condition may use it to read less); undefined: every subject.
   */
  member(candidates?: SQL): SQL;
  /**
   * A condition cheaper than `member` that holds of no member (a school with a synced affiliation
   * of one of its own roles, found by index). When given, a count of the changes keeps each
   * changed subject it does not rule out, without `member`'s read of a whole table; readers check
   * each kept one with `member`. Undefined: counts check `member` itself.
   */
  ruledOut?: SQL;
}

/** The Postgres type of `column`, as a cast names it (a serial column holds integers). */
export function columnType(column: PgColumn): string {
  const type = column.getSQLType();
  const serial: Record<string, string> = { smallserial: 'smallint', serial: 'integer', bigserial: 'bigint' };
  return serial[type] ?? type;
}

/** The set's member ids, as an array of the id column's type. */
export function keptIds(set: KeptSet): SQL {
  return sql`ARRAY(SELECT k.source_id::${sql.raw(columnType(set.id))} FROM ${syncTable('kept_set_member')} k WHERE k.set_name = ${set.name})`;
}

/**
 * The subjects among `candidates` (an id array) that are members now; every subject's members
 * when `candidates` is undefined (the whole count, as a join of whole tables).
 */
export function membersWhere(set: KeptSet, candidates?: SQL): SQL {
  return candidates ? sql`${set.id} = ANY(${candidates}) AND ${set.member(candidates)}` : set.member();
}

/** The kept members that are members still, read live: what the doctor's functions list. */
export function keptMembersWhere(set: KeptSet): SQL {
  return membersWhere(set, keptIds(set));
}
