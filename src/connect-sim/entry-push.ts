/**
 * Sending one trigger-log entry to the simulated org, as Connect sends one to Salesforce, and
 * writing the outcome back to the mirror row and the entry. Runs on a Connect session (its
 * `xmlbinary` is not `base64`), so the write-back is neither marked PENDING nor logged.
 */
import pg from 'pg';
import type { AnyMirrorObject, MirrorObjectSet } from '../mirror/object-set.ts';
import { lookupIdColumn, orgLookupsResolve, orgRecordDelete, orgRecordFind, orgRecordUpsert, SalesforceError, type Queryable } from './org-records.ts';
import { triggerLogEntrySettle, type TriggerLogEntry, type TriggerLogOutcome } from './trigger-log.ts';
import { mirrorSchemaName } from './trigger-functions.ts';

/** Columns Connect keeps itself; they are never sent to Salesforce. */
const systemColumns = new Set(['id', 'sfid', 'systemmodstamp', 'createddate', 'isdeleted', '_hc_lastop', '_hc_err']);

/** What happened to one entry, for the engine's log. */
export interface EntryPushResult {
  entry: TriggerLogEntry;
  object: AnyMirrorObject;
  outcome: TriggerLogOutcome;
  /** INSERTED or UPDATED on success (DELETED for a delete), FAILED otherwise. */
  lastop: string;
}

/** The columns of `object` Connect sends: its fields, without system and lookup-id columns. */
export function objectPushedColumns(objects: MirrorObjectSet, object: AnyMirrorObject): string[] {
  const lookupIds = new Set(objects.parentLookups(object).map(({ column }) => lookupIdColumn(object, column)));
  return Object.keys(object.columnTypes).filter((column) => !systemColumns.has(column) && !lookupIds.has(column));
}

/**
 * Sends `entry` inside the caller's transaction and settles it. A Salesforce error fails the
 * entry and the row for good; any other error (the database) is thrown and the entry stays NEW.
 */
export async function triggerLogEntryPush(client: Queryable, objects: MirrorObjectSet, entry: TriggerLogEntry): Promise<EntryPushResult> {
  const object = objects.named(entry.tableName);
  if (!object) throw new Error(`${mirrorSchemaName}.${entry.tableName} is not a declared mirror table`);
  const table = `${pg.escapeIdentifier(mirrorSchemaName)}.${pg.escapeIdentifier(object.tableName)}`;
  const { rows } = await client.query<Record<string, unknown>>(`SELECT * FROM ${table} WHERE id = $1`, [entry.recordId]);
  const row = rows[0];
  let result: { sfid: string | null; lastop: string };
  try {
    result = entry.action === 'DELETE' ? await deletePush(client, object, entry) : await writePush(client, objects, object, entry, row);
  } catch (error) {
    if (!(error instanceof SalesforceError)) throw error;
    await client.query(`UPDATE ${table} SET _hc_lastop = 'FAILED', _hc_err = $2 WHERE id = $1`, [entry.recordId, error.json]);
    const outcome: TriggerLogOutcome = { state: 'FAILED', message: error.json };
    await triggerLogEntrySettle(client, entry.id, outcome);
    return { entry, object, outcome, lastop: 'FAILED' };
  }
  if (entry.action !== 'DELETE' && result.sfid) {
    await client.query(
      `UPDATE ${table} SET sfid = $2, _hc_lastop = $3, _hc_err = NULL,
              systemmodstamp = now() AT TIME ZONE 'UTC', createddate = coalesce(createddate, now() AT TIME ZONE 'UTC')
        WHERE id = $1`,
      [entry.recordId, result.sfid, result.lastop],
    );
  }
  const outcome: TriggerLogOutcome = { state: 'SUCCESS', sfid: result.sfid };
  await triggerLogEntrySettle(client, entry.id, outcome);
  return { entry, object, outcome, lastop: result.lastop };
}

async function writePush(
  client: Queryable,
  objects: MirrorObjectSet,
  object: AnyMirrorObject,
  entry: TriggerLogEntry,
  row: Record<string, unknown> | undefined,
): Promise<{ sfid: string | null; lastop: string }> {
  const values = entry.values ?? {};
  const fields: Record<string, unknown> = {};
  for (const column of objectPushedColumns(objects, object)) {
    if (column in values) fields[column] = values[column];
  }
  // Connect matches a row to its record by sfid, then by the unique external id.
  const sfid = (row?.sfid as string | null | undefined) ?? entry.sfid ?? (values.sfid as string | null | undefined) ?? null;
  const externalId = fields[object.externalId] ?? row?.[object.externalId] ?? entry.old?.[object.externalId] ?? null;
  const existing = await orgRecordFind(client, object.name, { id: sfid, externalId: externalId == null ? null : String(externalId) });
  if (!existing && externalId != null) fields[object.externalId] = externalId;
  const lookupIds = await orgLookupsResolve(client, objects, object, fields);
  const { record, created } = await orgRecordUpsert(client, object, { ...fields, ...lookupIds }, existing);
  return { sfid: record.id, lastop: created ? 'INSERTED' : 'UPDATED' };
}

async function deletePush(client: Queryable, object: AnyMirrorObject, entry: TriggerLogEntry): Promise<{ sfid: string | null; lastop: string }> {
  const sfid = entry.sfid ?? (entry.old?.sfid as string | null | undefined) ?? null;
  const existing = sfid ? await orgRecordFind(client, object.name, { id: sfid }) : undefined;
  if (!existing || !(await orgRecordDelete(client, existing.id))) {
    throw new SalesforceError('entity is deleted', 'ENTITY_IS_DELETED');
  }
  return { sfid, lastop: 'DELETED' };
}
