/**
 * The doctor's kept sets (kept-set.ts), each derived from a declaration: per object that inserts
 * its rows, the records expected in Salesforce with no mirror row; then each preset check's own.
 * Counted again before every read of the doctor (doctor, repair, the reconciler, the metrics).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Drizzle } from '../db/database.ts';
import { sourceTables } from '../mirror/define.ts';
import type { AnyMirrorObject } from '../mirror/object-set.ts';
import type { SyncConfig } from '../sync-config.ts';
import { column, notSkipped, recordKey, rowExpected } from './doctor-sql.ts';
import type { KeptSet } from './kept-set.ts';
import { keptSetCount, type KeptSetCounted } from './kept-set-count.ts';

/** The source table with the joins its fields read, as a FROM clause. */
export function sourceFrom(object: AnyMirrorObject): SQL {
  let from = sql`${object.source.table}`;
  for (const join of object.source.joins ?? []) from = sql`${from} JOIN ${join.table} ON ${join.on}`;
  return from;
}

/** `object`'s records expected in Salesforce that have no mirror row. */
export function missingRowsSet(object: AnyMirrorObject): KeptSet {
  return {
    name: `missing_rows:${object.name}`,
    id: object.source.id,
    from: sourceFrom(object),
    changeTables: sourceTables(object.source),
    lossTables: [object.table],
    member: () => sql`${notSkipped(object)} AND ${rowExpected(object)}
      AND NOT EXISTS (SELECT 1 FROM ${object.table} m WHERE ${column('m', object.externalId)} = ${recordKey(object)})`,
  };
}

/** Every kept set of `config`: upsert objects' missing rows (an update-only object changes rows someone else makes), then the checks'. */
export function doctorSets(config: SyncConfig): KeptSet[] {
  const objects = config.objects;
  return [
    ...objects.objects.filter((object) => object.write === 'upsert').map(missingRowsSet),
    ...config.doctorChecks.flatMap((check) => check.keptSets?.(objects) ?? []),
  ];
}

/** Counts every set again, from its kept members when it can (`whole`: every subject). Sets whose tables are missing now are left. */
export async function doctorSetsCount(db: Pick<Drizzle, 'execute'>, config: SyncConfig, options: { whole?: boolean } = {}): Promise<KeptSetCounted[]> {
  const counted: KeptSetCounted[] = [];
  for (const set of doctorSets(config)) {
    const result = await keptSetCount(db, set, options);
    if (result) counted.push(result);
  }
  return counted;
}
