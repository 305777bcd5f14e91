/**
 * The simulated Salesforce org: one table of records in schema `connect_sim_org`, each with an
 * 18-character id, its object's name, a unique external id and its fields (keyed by the mirror
 * column names). Lookups are resolved here, against the org, never against the mirror.
 */
import type pg from 'pg';
import { identifierQuote, qualifiedName } from '../db/sql-names.ts';
import type { AnyMirrorObject } from '../mirror/object-set.ts';
import type { OrgChanges } from './org-view.ts';
import { salesforceIdFormat, salesforceKeyPrefix } from './salesforce-id.ts';

/** The schema the simulated org lives in. */
export const orgSchemaName = 'connect_sim_org';

/** The org's one table of records, quoted. */
export const orgRecordTable = qualifiedName(orgSchemaName, 'record');
const orgRecordSerial = qualifiedName(orgSchemaName, 'record_serial');

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

/** CREATE statements for the org's schema. Idempotent. */
export function orgSchemaSql(): string {
  return `
    CREATE SCHEMA IF NOT EXISTS ${identifierQuote(orgSchemaName)};
    CREATE SEQUENCE IF NOT EXISTS ${orgRecordSerial};
    CREATE TABLE IF NOT EXISTS ${orgRecordTable} (
      id varchar(18) PRIMARY KEY,
      object_name text NOT NULL,
      external_id text,
      fields jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_date timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
      system_modstamp timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'));
    CREATE UNIQUE INDEX IF NOT EXISTS record_object_external_id ON ${orgRecordTable} (object_name, external_id);`;
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
    `SELECT * FROM ${orgRecordTable}
      WHERE object_name = $1 AND (id = $2 OR external_id = $3)
      ORDER BY (id = $2) DESC NULLS LAST LIMIT 1`,
    [objectName, match.id ?? null, match.externalId ?? null],
  );
  return rows[0] ? recordFromRow(rows[0]) : undefined;
}

/**
 * The records any of `ids` or of the (object, external id) `keys` names, in one statement: what a
 * push round reads of the org before it decides anything.
 */
export async function orgRecordsMatch(client: Queryable, match: { ids: readonly string[]; keys: readonly { objectName: string; externalId: string }[] }): Promise<OrgRecord[]> {
  if (match.ids.length === 0 && match.keys.length === 0) return [];
  const { rows } = await client.query<RecordRow>(
    `SELECT r.* FROM ${orgRecordTable} r JOIN unnest($1::text[]) AS i(id) ON r.id = i.id
     UNION ALL
     SELECT r.* FROM ${orgRecordTable} r JOIN unnest($2::text[], $3::text[]) AS k(object_name, external_id)
       ON r.object_name = k.object_name AND r.external_id = k.external_id`,
    [match.ids, match.keys.map((key) => key.objectName), match.keys.map((key) => key.externalId)],
  );
  // A record named both ways comes twice.
  return [...new Map(rows.map((row) => [row.id, recordFromRow(row)])).values()];
}

/** Ids for new records, one per name in `objectNames`, from the org's serial in order. */
export async function orgRecordIdsNext(client: Queryable, objectNames: readonly string[]): Promise<string[]> {
  if (objectNames.length === 0) return [];
  const { rows } = await client.query<{ serial: string }>(`SELECT nextval($2::regclass)::text AS serial FROM generate_series(1, $1::int)`, [
    objectNames.length,
    orgRecordSerial,
  ]);
  const serials = rows.map((row) => BigInt(row.serial)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return objectNames.map((objectName, index) => orgRecordId(objectName, serials[index] ?? 0n));
}

/** Writes what a push round changed: deletes, then updates, then inserts, a statement each. */
export async function orgChangesWrite(client: Queryable, changes: OrgChanges): Promise<void> {
  if (changes.deletes.length > 0) {
    await client.query(`DELETE FROM ${orgRecordTable} AS r USING unnest($1::text[]) AS d(id) WHERE r.id = d.id`, [changes.deletes]);
  }
  if (changes.updates.length > 0) {
    await client.query(
      `UPDATE ${orgRecordTable} AS r
          SET fields = r.fields || u.fields, external_id = coalesce(u.external_id, r.external_id), system_modstamp = now() AT TIME ZONE 'UTC'
         FROM jsonb_to_recordset($1::jsonb) AS u(id text, fields jsonb, external_id text)
        WHERE r.id = u.id`,
      [JSON.stringify(changes.updates.map((update) => ({ id: update.id, fields: update.fields, external_id: update.externalId })))],
    );
  }
  if (changes.inserts.length > 0) {
    await client.query(
      `INSERT INTO ${orgRecordTable} (id, object_name, external_id, fields)
       SELECT i.id, i.object_name, i.external_id, i.fields FROM jsonb_to_recordset($1::jsonb) AS i(id text, object_name text, external_id text, fields jsonb)`,
      [JSON.stringify(changes.inserts.map((insert) => ({ id: insert.id, object_name: insert.objectName, external_id: insert.externalId, fields: insert.fields })))],
    );
  }
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
      `UPDATE ${orgRecordTable}
          SET fields = fields || $2::jsonb,
              external_id = coalesce($3, external_id),
              system_modstamp = now() AT TIME ZONE 'UTC'
        WHERE id = $1 RETURNING *`,
      [existing.id, JSON.stringify(fields), externalIdOf(object, fields)],
    );
    return { record: recordFromRow(rows[0] as RecordRow), created: false };
  }
  const { rows: serial } = await client.query<{ serial: string }>(`SELECT nextval($1::regclass)::text AS serial`, [orgRecordSerial]);
  const id = orgRecordId(object.name, BigInt(serial[0]?.serial ?? '0'));
  const { rows } = await client.query<RecordRow>(
    `INSERT INTO ${orgRecordTable} (id, object_name, external_id, fields) VALUES ($1, $2, $3, $4::jsonb) RETURNING *`,
    [id, object.name, externalIdOf(object, fields), JSON.stringify(fields)],
  );
  return { record: recordFromRow(rows[0] as RecordRow), created: true };
}

function orgRecordId(objectName: string, serial: bigint): string {
  return salesforceIdFormat(salesforceKeyPrefix(objectName), serial);
}

/** The external id `fields` set for `object`, as the org stores it (text), or null. */
export function externalIdOf(object: AnyMirrorObject, fields: Record<string, unknown>): string | null {
  const value = fields[object.externalId];
  return value == null ? null : String(value);
}

/** The mirror column that holds a lookup's resolved sfid: `editor__c` for `editor__r__editoruuid__c`. */
export function lookupIdColumn(object: AnyMirrorObject, lookupColumn: string): string | undefined {
  const field = /^(.+)__r__/.exec(lookupColumn)?.[1];
  const column = field ? `${field}__c` : undefined;
  return column && column in object.columnTypes ? column : undefined;
}
