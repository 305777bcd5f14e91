/**
 * One push round, set-wise: a page of claimed trigger-log entries read, decided and written in a
 * few statements per object rather than a round trip per row. It reads the mirror rows and the
 * org records the entries name, lets `pushPlan` send them in log order in memory, then writes the
 * org's changes, the mirror rows' outcomes (sfid, `_hc_lastop`, `_hc_err`) and the entries'
 * states. Runs inside the caller's transaction on a Connect session (its `xmlbinary` is not
 * `base64`), so the write-back is neither marked PENDING nor logged.
 */
import { identifierQuote } from '../db/sql-names.ts';
import { mirrorTableQuoted } from '../mirror/mirror-table-name.ts';
import type { AnyMirrorObject, MirrorObjectSet } from '../mirror/object-set.ts';
import { orgChangesWrite, orgRecordIdsNext, orgRecordsMatch, type Queryable } from './org-records.ts';
import { OrgView } from './org-view.ts';
import { entryObject, pushPlan, pushPlanOrgKeys, type EntryPushResult, type MirrorRowRead, type MirrorRowWriteBack } from './push-plan.ts';
import { triggerLogEntriesSettle, type TriggerLogEntry } from './trigger-log.ts';

/**
 * Sends `entries` (claimed, in log order) and settles them. A Salesforce error fails its entry
 * and row for good; any other error (the database) is thrown and every entry stays NEW.
 */
export async function pushRound(client: Queryable, objects: MirrorObjectSet, entries: readonly TriggerLogEntry[]): Promise<EntryPushResult[]> {
  if (entries.length === 0) return [];
  const rows = await mirrorRowsRead(client, objects, entries);
  const records = await orgRecordsMatch(client, pushPlanOrgKeys(objects, entries, rows));
  // Planned twice: first to learn which records it creates, then with their ids from the org's serial.
  const created: string[] = [];
  pushPlan(objects, entries, rows, new OrgView(records, (objectName) => `new ${created.push(objectName)}`));
  const ids = await orgRecordIdsNext(client, created);
  const org = new OrgView(records, () => ids.shift() ?? '');
  const plan = pushPlan(objects, entries, rows, org);
  await orgChangesWrite(client, org.changes());
  for (const [object, writeBacks] of plan.writeBacks) await mirrorRowsWriteBack(client, object, [...writeBacks.values()]);
  await triggerLogEntriesSettle(
    client,
    objects.mirrorSchema,
    plan.results.map(({ entry, outcome }) => ({ entryId: entry.id, outcome })),
  );
  return plan.results;
}

/** The sfid and external id of every mirror row the entries name, a statement per table. */
async function mirrorRowsRead(client: Queryable, objects: MirrorObjectSet, entries: readonly TriggerLogEntry[]): Promise<Map<string, Map<number, MirrorRowRead>>> {
  const idsByObject = new Map<AnyMirrorObject, Set<number>>();
  for (const entry of entries) {
    const object = entryObject(objects, entry);
    idsByObject.set(object, (idsByObject.get(object) ?? new Set()).add(entry.recordId));
  }
  const rows = new Map<string, Map<number, MirrorRowRead>>();
  for (const [object, ids] of idsByObject) {
    const { rows: read } = await client.query<MirrorRowRead & { id: number }>(
      // A join, not `id = ANY(…)`: over a table not yet analyzed that is a scan comparing each row with every id.
      `SELECT m.id, m.sfid, m.${identifierQuote(object.externalId)} FROM ${mirrorTableQuoted(object)} AS m JOIN unnest($1::integer[]) AS wanted(id) ON m.id = wanted.id`,
      [[...ids]],
    );
    rows.set(object.tableName, new Map(read.map((row) => [row.id, row])));
  }
  return rows;
}

/** Writes a round's outcomes to the mirror rows of `object` in one statement. */
async function mirrorRowsWriteBack(client: Queryable, object: AnyMirrorObject, writeBacks: readonly MirrorRowWriteBack[]): Promise<void> {
  if (writeBacks.length === 0) return;
  const utcNow = "now() AT TIME ZONE 'UTC'";
  await client.query(
    `UPDATE ${mirrorTableQuoted(object)} AS m
        SET sfid = coalesce(w.sfid, m.sfid), _hc_lastop = w.lastop, _hc_err = w.error,
            systemmodstamp = CASE WHEN w.stamped THEN ${utcNow} ELSE m.systemmodstamp END,
            createddate = CASE WHEN w.stamped THEN coalesce(m.createddate, ${utcNow}) ELSE m.createddate END
       FROM jsonb_to_recordset($1::jsonb) AS w(record_id bigint, sfid text, lastop text, error text, stamped boolean)
      WHERE m.id = w.record_id`,
    [JSON.stringify(writeBacks.map((back) => ({ record_id: back.recordId, sfid: back.sfid, lastop: back.lastop, error: back.error, stamped: back.stamped })))],
  );
}
