/**
 * The simulated Salesforce org: one table of records in schema `connect_sim_org`, each with an
 * 18-character id, its object's name, a unique external id and its fields (keyed by the mirror
 * column names). Lookups are resolved here, against the org, never against the mirror.
 */
import type pg from 'pg';
import type { AnyMirrorObject, MirrorObjectSet } from '../mirror/object-set.ts';
import { salesforceIdFormat, salesforceKeyPrefix } from './salesforce-id.ts';

/** The schema the simulated org lives in. */
export const orgSchemaName = 'connect_sim_org';

/** Anything that runs queries: a pool or a client inside a transaction. */
export type Queryable = Pick<pg.ClientBase, 'query'>;

/** One record in the simulated org. */
export interface OrgRecord {
  id: string;
  objectName: string;
  externalId: string | null;
  fields: Record<string, unknown>;
  systemModstamp: Date;
}

/** An error as Salesforce returns it; `json` is what Connect stores in `_hc_err` and `sf_message`. */
export class SalesforceError extends Error {
  override name = 'SalesforceError';
  readonly errorCode: string;

  constructor(message: string, errorCode: string) {
    super(message);
    this.errorCode = errorCode;
  }

  /** `{"message":"…","errorCode":"…"}`, in Salesforce's key order. */
  get json(): string {
    return JSON.stringify({ message: this.message, errorCode: this.errorCode });
  }
}

/** CREATE statements for the org's schema. Idempotent; the schema name is a constant. */
export function orgSchemaSql(): string {
  return `
    CREATE SCHEMA IF NOT EXISTS ${orgSchemaName};
    CREATE SEQUENCE IF NOT EXISTS ${orgSchemaName}.record_serial;
    CREATE TABLE IF NOT EXISTS ${orgSchemaName}.record (
      id varchar(18) PRIMARY KEY,
      object_name text NOT NULL,
      external_id text,
      fields jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_date timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
      system_modstamp timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'));
    CREATE UNIQUE INDEX IF NOT EXISTS record_object_external_id ON ${orgSchemaName}.record (object_name, external_id);`;
}

interface RecordRow {
  id: string;
  object_name: string;
  external_id: string | null;
  fields: Record<string, unknown>;
  system_modstamp: Date;
}

function recordFromRow(row: RecordRow): OrgRecord {
  return { id: row.id, objectName: row.object_name, externalId: row.external_id, fields: row.fields, systemModstamp: row.system_modstamp };
}

/** The org record of `objectName` with this id or external id, if there is one. */
export async function orgRecordFind(
  client: Queryable,
  objectName: string,
  match: { id?: string | null; externalId?: string | null },
): Promise<OrgRecord | undefined> {
  if (!match.id && match.externalId == null) return undefined;
  const { rows } = await client.query<RecordRow>(
    `SELECT * FROM ${orgSchemaName}.record
      WHERE object_name = $1 AND (id = $2 OR external_id = $3)
      ORDER BY (id = $2) DESC NULLS LAST LIMIT 1`,
    [objectName, match.id ?? null, match.externalId ?? null],
  );
  return rows[0] ? recordFromRow(rows[0]) : undefined;
}

/** Every record of `objectName` whose id is in `ids`. */
export async function orgRecordsById(client: Queryable, objectName: string, ids: readonly string[]): Promise<Map<string, OrgRecord>> {
  const { rows } = await client.query<RecordRow>(`SELECT * FROM ${orgSchemaName}.record WHERE object_name = $1 AND id = ANY($2::text[])`, [
    objectName,
    ids,
  ]);
  return new Map(rows.map((row) => [row.id, recordFromRow(row)]));
}

/**
 * Creates a record of `object`, or updates `existing` with `fields` merged over what it holds.
 * Returns the record as stored.
 */
export async function orgRecordUpsert(
  client: Queryable,
  object: AnyMirrorObject,
  fields: Record<string, unknown>,
  existing?: OrgRecord,
): Promise<{ record: OrgRecord; created: boolean }> {
  if (existing) {
    const { rows } = await client.query<RecordRow>(
      `UPDATE ${orgSchemaName}.record
          SET fields = fields || $2::jsonb,
              external_id = coalesce($3, external_id),
              system_modstamp = now() AT TIME ZONE 'UTC'
        WHERE id = $1 RETURNING *`,
      [existing.id, JSON.stringify(fields), externalIdOf(object, fields)],
    );
    return { record: recordFromRow(rows[0] as RecordRow), created: false };
  }
  const { rows: serial } = await client.query<{ serial: string }>(`SELECT nextval('${orgSchemaName}.record_serial')::text AS serial`);
  const id = salesforceIdFormat(salesforceKeyPrefix(object.name), BigInt(serial[0]?.serial ?? '0'));
  const { rows } = await client.query<RecordRow>(
    `INSERT INTO ${orgSchemaName}.record (id, object_name, external_id, fields) VALUES ($1, $2, $3, $4::jsonb) RETURNING *`,
    [id, object.name, externalIdOf(object, fields), JSON.stringify(fields)],
  );
  return { record: recordFromRow(rows[0] as RecordRow), created: true };
}

/** Deletes the org record `id`; false when there was none. */
export async function orgRecordDelete(client: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await client.query(`DELETE FROM ${orgSchemaName}.record WHERE id = $1`, [id]);
  return (rowCount ?? 0) > 0;
}

function externalIdOf(object: AnyMirrorObject, fields: Record<string, unknown>): string | null {
  const value = fields[object.externalId];
  return value == null ? null : String(value);
}

/** The mirror column that holds a lookup's resolved sfid: `editor__c` for `editor__r__editoruuid__c`. */
export function lookupIdColumn(object: AnyMirrorObject, lookupColumn: string): string | undefined {
  const field = /^(.+)__r__/.exec(lookupColumn)?.[1];
  const column = field ? `${field}__c` : undefined;
  return column && column in object.columnTypes ? column : undefined;
}

/**
 * Resolves the lookups among `fields` against the org, as Salesforce does on a write: each
 * named parent must be an org record, or the write fails with Salesforce's INVALID_FIELD error.
 * Returns the lookup id columns to set (`editor__c` → the parent's id).
 */
export async function orgLookupsResolve(
  client: Queryable,
  objects: MirrorObjectSet,
  object: AnyMirrorObject,
  fields: Record<string, unknown>,
): Promise<Record<string, string | null>> {
  const resolved: Record<string, string | null> = {};
  for (const { column, parent } of objects.parentLookups(object)) {
    if (!(column in fields)) continue;
    const value = fields[column];
    const idColumn = lookupIdColumn(object, column);
    if (value == null || value === '') {
      if (idColumn) resolved[idColumn] = null;
      continue;
    }
    const parentRecord = await orgRecordFind(client, parent.name, { externalId: String(value) });
    if (!parentRecord) {
      throw new SalesforceError(
        `Foreign key external ID: ${String(value)} not found for field ${parent.externalIdField} in entity ${parent.name}`,
        'INVALID_FIELD',
      );
    }
    if (idColumn) resolved[idColumn] = parentRecord.id;
  }
  return resolved;
}
