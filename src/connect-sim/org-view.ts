/**
 * The simulated org as one push round sees it: the records its entries can name, read once, and
 * changed in memory as the round's entries are sent one after another, so a parent sent earlier
 * in the round is found by a child sent later, as with Connect's ordered writes. What changed is
 * then written back in one statement per kind (see `orgChangesWrite`).
 */
import type { AnyMirrorObject } from '../mirror/object-set.ts';
import { externalIdOf, type OrgRecord } from './org-records.ts';

/** A record as the round leaves it. */
export interface OrgViewRecord {
  id: string;
  objectName: string;
  externalId: string | null;
  fields: Record<string, unknown>;
  /** Made by this round (an INSERT), rather than read from the org. */
  created: boolean;
  deleted: boolean;
  /** For a record read from the org: the fields this round sent, merged in order. */
  patch?: Record<string, unknown>;
}

/** What one round changes in the org, in the order it must be written. */
export interface OrgChanges {
  deletes: string[];
  updates: { id: string; fields: Record<string, unknown>; externalId: string | null }[];
  inserts: { id: string; objectName: string; externalId: string | null; fields: Record<string, unknown> }[];
}

/** The org records one round reads and writes; `newId(objectName)` names each record it creates. */
export class OrgView {
  readonly #byId = new Map<string, OrgViewRecord>();
  readonly #byExternalId = new Map<string, OrgViewRecord>();
  readonly #newId: (objectName: string) => string;
  // Every record ever indexed, deleted ones included, in the order first seen.
  readonly #touched = new Set<OrgViewRecord>();

  /** Over `records` (left unchanged: the view keeps copies). */
  constructor(records: readonly OrgRecord[], newId: (objectName: string) => string) {
    this.#newId = newId;
    for (const record of records) {
      this.#index({ id: record.id, objectName: record.objectName, externalId: record.externalId, fields: { ...record.fields }, created: false, deleted: false });
    }
  }

  /** The record of `objectName` with this id, else with this external id, as Salesforce matches a write. */
  find(objectName: string, match: { id?: string | null; externalId?: string | null }): OrgViewRecord | undefined {
    const byId = match.id ? this.#byId.get(match.id) : undefined;
    if (byId && byId.objectName === objectName) return byId;
    return match.externalId == null ? undefined : this.#byExternalId.get(externalIdKey(objectName, match.externalId));
  }

  /** Creates a record of `object` holding `fields`, or merges `fields` over `existing`'s. */
  upsert(object: AnyMirrorObject, fields: Record<string, unknown>, existing?: OrgViewRecord): { record: OrgViewRecord; created: boolean } {
    const externalId = externalIdOf(object, fields);
    if (!existing) {
      const record: OrgViewRecord = { id: this.#newId(object.name), objectName: object.name, externalId, fields: { ...fields }, created: true, deleted: false };
      this.#index(record);
      return { record, created: true };
    }
    if (existing.externalId != null) this.#byExternalId.delete(externalIdKey(existing.objectName, existing.externalId));
    existing.externalId = externalId ?? existing.externalId;
    existing.fields = { ...existing.fields, ...fields };
    if (!existing.created) existing.patch = { ...existing.patch, ...fields };
    this.#index(existing);
    return { record: existing, created: false };
  }

  /** Deletes `record`: later entries of the round no longer find it. */
  delete(record: OrgViewRecord): void {
    record.deleted = true;
    this.#byId.delete(record.id);
    if (record.externalId != null) this.#byExternalId.delete(externalIdKey(record.objectName, record.externalId));
  }

  /** What the round changed: records of the org deleted or updated, and records it made (and kept). */
  changes(): OrgChanges {
    const changes: OrgChanges = { deletes: [], updates: [], inserts: [] };
    for (const record of this.#touched) {
      if (record.created && !record.deleted) {
        changes.inserts.push({ id: record.id, objectName: record.objectName, externalId: record.externalId, fields: record.fields });
      } else if (!record.created && record.deleted) {
        changes.deletes.push(record.id);
      } else if (!record.created && record.patch) {
        changes.updates.push({ id: record.id, fields: record.patch, externalId: record.externalId });
      }
    }
    return changes;
  }

  #index(record: OrgViewRecord): void {
    this.#touched.add(record);
    this.#byId.set(record.id, record);
    if (record.externalId != null) this.#byExternalId.set(externalIdKey(record.objectName, record.externalId), record);
  }
}

function externalIdKey(objectName: string, externalId: string): string {
  return `${objectName}\u0000${externalId}`;
}
