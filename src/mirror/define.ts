/**
 * What a mirror object declaration says, and what is derived from it. One declaration per
 * Salesforce object; the sync mechanism, the parent guard, truncation, backfill and doctor all
 * read it, so adding an object is a declaration and nothing else.
 *
 * Glossary:
 * - mirror: the tables Heroku Connect pushes to Salesforce, in its schema (`salesforce` unless
 *   its add-on was set up with another; connectTable's `schema`).
 * - sfid: Salesforce's id for a record, written back to the mirror row once Salesforce accepted it.
 * - external id: a unique field of ours on the object (Editor__c.EditorUUID__c) that rows are
 *   matched and looked up by.
 * - lookup / parent: a `<field>__r__<parent external id>` column, which Salesforce resolves to the
 *   parent record; it fails for good when the parent is not in Salesforce yet.
 * - affiliation: a Contact's link to an Editor__c (school) or Classroom__c (class).
 */
import { getTableColumns, getTableName, is, type SQL } from 'drizzle-orm';
import { getTableConfig, PgVarchar, type PgColumn, type PgTable } from 'drizzle-orm/pg-core';
import type { z } from 'zod';
import { timestampRead } from './timestamp-read.ts';
import { ConnectSyncError } from '../errors.ts';
import { identifierBytesMax } from '../db/sql-names.ts';

/** A payload schema: a zod object type (its output is what a job carries once validated). */
export type PayloadSchema = z.ZodType<object>;

/** A source expression a mirror column is filled from: an app column or SQL over the source. */
export type SourceExpression = PgColumn | SQL;

/** The app table a record is read from, with any tables joined for fields it needs. */
export interface MirrorSource {
  table: PgTable;
  /** The record's key; jobs name records by it. */
  id: PgColumn;
  joins?: readonly { table: PgTable; on: SQL }[];
}

/** The app tables a source reads: its table, then each joined one. */
export function sourceTables(source: MirrorSource): PgTable[] {
  return [source.table, ...(source.joins ?? []).map((join) => join.table)];
}

/**
 * How a job writes its row: `upsert` inserts or updates by the external id; `update` only
 * changes a row that already exists (one made by someone else) and waits while it is missing.
 */
export type MirrorWrite = 'upsert' | 'update';

/** One Salesforce object, declared once. `TSchema` is the job payload's zod schema. */
export interface MirrorObjectDeclaration<TSchema extends PayloadSchema = PayloadSchema, TPayload extends object = z.output<TSchema>> {
  /** The Salesforce object name, e.g. `Editor__c`. */
  name: string;
  /** What the app calls the record a job names, for messages: `School`, `Role`. */
  record: string;
  /** The mirror table, from {@link connectTable}. */
  table: PgTable;
  /** The mirror column holding the external id rows are matched on. */
  externalId: string;
  /**
   * The external id's Salesforce field name in Salesforce's own case (`EditorUUID__c`), as
   * Salesforce's errors spell it; `externalId` is this lower-cased. Defaults to `externalId`.
   */
  externalIdField?: string;
  /** The queue suffix: jobs for this object run on `salesforce-sync.<queue>`. */
  queue: string;
  /** The job payload's shape; anything else is rejected at once (`enqueue` is typed by it). */
  payload: TSchema;
  /** The payload key naming the record (`schoolId`, `roleId`); its value is the record's key as text. */
  payloadKey: keyof TPayload & string;
  /** Payload values for a record Salesforce does not have yet (Editor__c: `{ isCreate: true }`). */
  payloadOnCreate?: Partial<TPayload>;
  source: MirrorSource;
  /** Mirror column ← source expression. Lookup columns (`__r__`) are ordinary fields here. */
  fields: Readonly<Record<string, SourceExpression>>;
  /**
   * Columns set from the payload rather than the record; a value left undefined keeps what the
   * mirror row holds (Editor__c.Status__c is written only when the school is created).
   */
  payloadFields?: (payload: TPayload) => Readonly<Record<string, string | number | boolean | null | undefined>>;
  /** Records that are not synced, and why; their jobs complete without writing. */
  skip?: { when: SQL; reason: string };
  /**
   * When a record without a mirror row is a loss that `doctor` reports and `repair` heals
   * (default: always, for an `upsert` object). SQL over the source and its joins.
   */
  expected?: SQL;
  write: MirrorWrite;
}

/** A lookup column, as read off its name, before it is resolved to a declared object. */
export interface ParentLookup {
  /** The mirror column carrying the parent's external id, e.g. `editor__r__editoruuid__c`. */
  column: string;
  /** The parent's external id field, e.g. `editoruuid__c`. */
  parentExternalId: string;
}

/** A declaration with what is derived from it. */
export interface MirrorObject<TSchema extends PayloadSchema = PayloadSchema, TPayload extends object = z.output<TSchema>>
  extends MirrorObjectDeclaration<TSchema, TPayload> {
  /** The mirror table's name in its schema. */
  tableName: string;
  /** The schema the mirror table is in: connectTable's `schema`, `salesforce` by default. */
  mirrorSchema: string;
  /** The pg-boss queue name. */
  queueName: string;
  /** The external id's Salesforce field name, in Salesforce's case. */
  externalIdField: string;
  /** Lookups to parents, in declared order, read off the `__r__` columns. */
  lookups: readonly ParentLookup[];
  /** The source record key a payload names. */
  recordId(payload: TPayload): string;
  /** The payload of a job for `recordId`; `create` when Salesforce does not have the record yet. */
  payloadFor(recordId: string, options?: { create?: boolean }): TPayload;
  /** The columns `payloadFields` writes. */
  payloadColumns: readonly string[];
  /** Mirror column → the column's SQL type, for set-wise writes. */
  columnTypes: Readonly<Record<string, string>>;
  /** Mirror column → maximum length, for the string columns that have one. */
  columnLengths: Readonly<Record<string, number>>;
  /**
   * Mirror column → what the sync reads for it: `fields`, with each timestamp read as exact text
   * (timestamp-read.ts), so no value passes through a JavaScript Date.
   */
  fieldReads: Readonly<Record<string, SourceExpression>>;
}

/** A declaration that does not fit its mirror table or contradicts itself; the message names the object. */
export class MirrorObjectDeclarationError extends ConnectSyncError { readonly code = 'MIRROR_OBJECT_DECLARATION_INVALID'; }

/**
 * Refuses a mirror schema, table or column name Postgres would cut short: the cut name is another
 * object than the one declared, and two long names sharing their first 63 bytes would be one.
 * `owner` (the object or table declaring it) leads the message, as in the other declaration errors.
 */
export function mirrorNameCheck(kind: 'schema' | 'table' | 'column', name: string, owner?: string): void {
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes <= identifierBytesMax) return;
  throw new MirrorObjectDeclarationError(
    `${owner ? `${owner}: ` : ''}the mirror ${kind} name ${JSON.stringify(name)} is ${bytes} bytes, past Postgres's limit of ${identifierBytesMax} bytes (it would silently cut the name short)`,
  );
}

const lookupPattern = /^(.+)__r__(.+)$/;

/** Prefix of every sync queue's name. */
export const queuePrefix = 'salesforce-sync.';

/** Validates a declaration against its table and derives lookups, lengths and types. */
export function defineMirrorObject<TSchema extends PayloadSchema>(declaration: MirrorObjectDeclaration<TSchema>): MirrorObject<TSchema> {
  type TPayload = z.output<TSchema>;
  const columns = getTableColumns(declaration.table) as Record<string, PgColumn>;
  const byName = new Map(Object.values(columns).map((column) => [column.name, column]));
  // connectTable checked its own names already; a table built some other way is checked here.
  const tableName = getTableName(declaration.table);
  const mirrorSchema = getTableConfig(declaration.table).schema ?? 'public';
  mirrorNameCheck('schema', mirrorSchema, declaration.name);
  mirrorNameCheck('table', tableName, declaration.name);
  for (const name of byName.keys()) mirrorNameCheck('column', name, declaration.name);
  // payloadFields is called once with an empty payload only to learn which columns it writes.
  const payloadColumns = Object.keys(declaration.payloadFields?.(new Proxy({}, { get: () => undefined }) as TPayload) ?? {});
  const written = [declaration.externalId, ...Object.keys(declaration.fields), ...payloadColumns];
  for (const name of written) {
    if (!byName.has(name)) throw new MirrorObjectDeclarationError(`${declaration.name}: ${name} is not a column of the mirror table`);
  }
  if (!(declaration.externalId in declaration.fields)) {
    throw new MirrorObjectDeclarationError(`${declaration.name}: the external id ${declaration.externalId} must be one of the fields`);
  }
  const externalIdField = declaration.externalIdField ?? declaration.externalId;
  if (externalIdField.toLowerCase() !== declaration.externalId) {
    throw new MirrorObjectDeclarationError(`${declaration.name}: externalIdField ${externalIdField} does not lower-case to ${declaration.externalId}`);
  }
  const columnTypes: Record<string, string> = {};
  const columnLengths: Record<string, number> = {};
  for (const [name, column] of byName) {
    columnTypes[name] = column.getSQLType();
    // `is` compares drizzle's entity kinds, not classes: a host's own copy of drizzle-orm still counts.
    if (is(column, PgVarchar) && column.length) columnLengths[name] = column.length;
  }
  const fieldReads = Object.fromEntries(
    Object.entries(declaration.fields).map(([name, source]) => [name, timestampRead(byName.get(name)!, source)]),
  );
  const lookups = Object.keys(declaration.fields).flatMap((column) => {
    const match = lookupPattern.exec(column);
    return match?.[2] ? [{ column, parentExternalId: match[2] }] : [];
  });
  return {
    ...declaration,
    tableName,
    mirrorSchema,
    queueName: queuePrefix + declaration.queue,
    recordId: (payload) => String(payload[declaration.payloadKey]),
    payloadFor: (recordId, options = {}) =>
      ({ [declaration.payloadKey]: recordId, ...(options.create ? declaration.payloadOnCreate : {}) }) as TPayload,
    externalIdField,
    lookups,
    payloadColumns,
    columnTypes,
    columnLengths,
    fieldReads,
  };
}

