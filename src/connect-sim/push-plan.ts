/**
 * What one push round does, decided in memory: its trigger-log entries sent to the org one after
 * another in log order, as Connect's ordered writes send them, against an `OrgView`. A child whose
 * parent was sent earlier in the round finds it; one whose parent is not in the org (or comes
 * later in the log) fails with Salesforce's error, for good. Nothing here touches the database:
 * `pushRound` reads what the plan needs first and writes what it decided after.
 */
import type { AnyMirrorObject, MirrorObjectSet } from '../mirror/object-set.ts';
import { lookupIdColumn, SalesforceError } from './org-records.ts';
import type { OrgView } from './org-view.ts';
import type { TriggerLogEntry, TriggerLogOutcome } from './trigger-log.ts';

/** Columns Connect keeps itself; they are never sent to Salesforce. */
const systemColumns = new Set(['id', 'sfid', 'systemmodstamp', 'createddate', 'isdeleted', '_hc_lastop', '_hc_err']);

/** The part of a mirror row a push reads: its sfid and external id, as they were when the round began. */
export type MirrorRowRead = { sfid: string | null } & Record<string, unknown>;

/** Mirror rows by table name, then by row id. */
export type MirrorRowsRead = ReadonlyMap<string, ReadonlyMap<number, MirrorRowRead>>;

/** What happened to one entry, for the engine's log. */
export interface EntryPushResult {
  entry: TriggerLogEntry;
  object: AnyMirrorObject;
  outcome: TriggerLogOutcome;
  /** INSERTED or UPDATED on success (DELETED for a delete), FAILED otherwise. */
  lastop: string;
}

/** How a round leaves one mirror row: the last entry's status, and the sfid of the last success. */
export interface MirrorRowWriteBack {
  recordId: number;
  /** Set by a successful INSERT or UPDATE; null leaves the row's sfid as it is. */
  sfid: string | null;
  lastop: string;
  error: string | null;
  /** A write succeeded: systemmodstamp (and createddate, if unset) become now. */
  stamped: boolean;
}

/** The round's decisions: each entry's result, in log order, and the write-backs per mirror table. */
export interface PushPlan {
  results: EntryPushResult[];
  writeBacks: Map<AnyMirrorObject, Map<number, MirrorRowWriteBack>>;
}

/** The columns of `object` Connect sends: its fields, without system and lookup-id columns. */
export function objectPushedColumns(objects: MirrorObjectSet, object: AnyMirrorObject): string[] {
  const lookupIds = new Set(objects.parentLookups(object).map(({ column }) => lookupIdColumn(object, column)));
  return Object.keys(object.columnTypes).filter((column) => !systemColumns.has(column) && !lookupIds.has(column));
}

/** The declared object of an entry's table; an undeclared table stops the round. */
export function entryObject(objects: MirrorObjectSet, entry: TriggerLogEntry): AnyMirrorObject {
  const object = objects.named(entry.tableName);
  if (!object) throw new Error(`${objects.mirrorSchema}.${entry.tableName} is not a declared mirror table`);
  return object;
}

/**
 * Every org record `entries` may name, by id and by (object, external id): what `pushPlan` needs
 * read before it runs. Records the round itself creates are not among them.
 */
export function pushPlanOrgKeys(objects: MirrorObjectSet, entries: readonly TriggerLogEntry[], rows: MirrorRowsRead): { ids: string[]; keys: { objectName: string; externalId: string }[] } {
  const ids = new Set<string>();
  const keys = new Map<string, { objectName: string; externalId: string }>();
  const key = (objectName: string, value: unknown) => {
    if (value != null) keys.set(`${objectName}\u0000${String(value)}`, { objectName, externalId: String(value) });
  };
  for (const entry of entries) {
    const object = entryObject(objects, entry);
    const row = rows.get(object.tableName)?.get(entry.recordId);
    for (const sfid of [row?.sfid, entry.sfid, entry.values?.sfid, entry.old?.sfid]) if (typeof sfid === 'string' && sfid) ids.add(sfid);
    for (const source of [entry.values, row, entry.old]) key(object.name, source?.[object.externalId]);
    for (const { column, parent } of objects.parentLookups(object)) key(parent.name, entry.values?.[column]);
  }
  return { ids: [...ids], keys: [...keys.values()] };
}

/** Sends `entries` (in log order) against `org`, which it changes; returns what each did. */
export function pushPlan(objects: MirrorObjectSet, entries: readonly TriggerLogEntry[], rows: MirrorRowsRead, org: OrgView): PushPlan {
  const plan: PushPlan = { results: [], writeBacks: new Map() };
  for (const entry of entries) {
    const object = entryObject(objects, entry);
    const backs = plan.writeBacks.get(object) ?? new Map<number, MirrorRowWriteBack>();
    plan.writeBacks.set(object, backs);
    const row = rows.get(object.tableName)?.get(entry.recordId);
    const back = backs.get(entry.recordId);
    // An earlier entry of the round may have given the row its sfid; Connect reads the row as it is now.
    const rowSfid = back?.sfid ?? row?.sfid ?? null;
    try {
      const { sfid, lastop } = entry.action === 'DELETE' ? deletePlan(org, object, entry) : writePlan(objects, org, object, entry, row, rowSfid);
      if (entry.action !== 'DELETE') {
        backs.set(entry.recordId, { recordId: entry.recordId, sfid, lastop, error: null, stamped: true });
      }
      plan.results.push({ entry, object, outcome: { state: 'SUCCESS', sfid }, lastop });
    } catch (error) {
      if (!(error instanceof SalesforceError)) throw error;
      backs.set(entry.recordId, { recordId: entry.recordId, sfid: back?.sfid ?? null, lastop: 'FAILED', error: error.json, stamped: back?.stamped ?? false });
      plan.results.push({ entry, object, outcome: { state: 'FAILED', message: error.json }, lastop: 'FAILED' });
    }
  }
  return plan;
}

function writePlan(
  objects: MirrorObjectSet,
  org: OrgView,
  object: AnyMirrorObject,
  entry: TriggerLogEntry,
  row: MirrorRowRead | undefined,
  rowSfid: string | null,
): { sfid: string; lastop: string } {
  const values = entry.values ?? {};
  const fields: Record<string, unknown> = {};
  for (const column of objectPushedColumns(objects, object)) {
    if (column in values) fields[column] = values[column];
  }
  // Connect matches a row to its record by sfid, then by the unique external id.
  const sfid = rowSfid ?? entry.sfid ?? (values.sfid as string | null | undefined) ?? null;
  const externalId = fields[object.externalId] ?? row?.[object.externalId] ?? entry.old?.[object.externalId] ?? null;
  const existing = org.find(object.name, { id: sfid, externalId: externalId == null ? null : String(externalId) });
  if (!existing && externalId != null) fields[object.externalId] = externalId;
  const lookupIds = lookupsResolve(objects, org, object, fields);
  const { record, created } = org.upsert(object, { ...fields, ...lookupIds }, existing);
  return { sfid: record.id, lastop: created ? 'INSERTED' : 'UPDATED' };
}

/**
 * Resolves the lookups among `fields` as Salesforce does on a write: each named parent must be
 * an org record, or the write fails with Salesforce's INVALID_FIELD error. Returns the lookup id
 * columns to set (`editor__c` → the parent's id).
 */
function lookupsResolve(objects: MirrorObjectSet, org: OrgView, object: AnyMirrorObject, fields: Record<string, unknown>): Record<string, string | null> {
  const resolved: Record<string, string | null> = {};
  for (const { column, parent } of objects.parentLookups(object)) {
    if (!(column in fields)) continue;
    const value = fields[column];
    const idColumn = lookupIdColumn(object, column);
    if (value == null || value === '') {
      if (idColumn) resolved[idColumn] = null;
      continue;
    }
    const parentRecord = org.find(parent.name, { externalId: String(value) });
    if (!parentRecord) {
      throw new SalesforceError(`Foreign key external ID: ${String(value)} not found for field ${parent.externalIdField} in entity ${parent.name}`, 'INVALID_FIELD');
    }
    if (idColumn) resolved[idColumn] = parentRecord.id;
  }
  return resolved;
}

function deletePlan(org: OrgView, object: AnyMirrorObject, entry: TriggerLogEntry): { sfid: string; lastop: string } {
  const sfid = entry.sfid ?? (entry.old?.sfid as string | null | undefined) ?? null;
  const existing = sfid ? org.find(object.name, { id: sfid }) : undefined;
  if (!existing) throw new SalesforceError('entity is deleted', 'ENTITY_IS_DELETED');
  org.delete(existing);
  return { sfid: existing.id, lastop: 'DELETED' };
}
