/**
 * Mirror names past Postgres's 63 bytes (NAMEDATALEN - 1) are refused where they are declared:
 * Postgres would cut such a name short without a word, so it would name another table, column or
 * schema than the host wrote, and two long names sharing their first 63 bytes would be one.
 */
import { pgSchema, pgTable, text, varchar, type PgTable } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { connectTable, ConnectSyncError, defineMirrorObject, MirrorObjectDeclarationError, z } from '../src/index.ts';

/** A name of exactly `bytes` ASCII bytes, starting with `stem`. */
function nameOf(bytes: number, stem = 'n'): string {
  return stem + 'x'.repeat(bytes - stem.length);
}

/** What `declare` throws, for its message and code. */
function failure(declare: () => unknown): ConnectSyncError {
  try {
    declare();
  } catch (error) {
    return error as ConnectSyncError;
  }
  throw new Error('the declaration was accepted');
}

const source = pgTable('things', { id: text('id').primaryKey() });

/** An object over `table`, whose only field is its external id `thinguuid__c`. */
function thing(table: PgTable) {
  return defineMirrorObject({
    name: 'Thing__c',
    record: 'Thing',
    table,
    externalId: 'thinguuid__c',
    queue: 'thing',
    payload: z.object({ thingId: z.string() }),
    payloadKey: 'thingId',
    source: { table: source, id: source.id },
    fields: { thinguuid__c: source.id },
    write: 'upsert',
  });
}

describe('a mirror name of 64 bytes', () => {
  it('is refused as a table name, naming it, its length and the limit', () => {
    const name = nameOf(64, 'thing__c_');
    const error = failure(() => connectTable(name, 'thinguuid__c', { thinguuid__c: text() }));
    expect(error).toBeInstanceOf(MirrorObjectDeclarationError);
    expect(error.code).toBe('MIRROR_OBJECT_DECLARATION_INVALID');
    expect(error.message).toBe(`the mirror table name "${name}" is 64 bytes, past Postgres's limit of 63 bytes (it would silently cut the name short)`);
    expect(error.message).not.toContain('\n');
  });

  it('is refused as a column name, given by key or by the builder', () => {
    const key = nameOf(64, 'colour__c_');
    expect(failure(() => connectTable('thing__c', 'thinguuid__c', { thinguuid__c: text(), [key]: text() })).message).toBe(
      `thing__c: the mirror column name "${key}" is 64 bytes, past Postgres's limit of 63 bytes (it would silently cut the name short)`,
    );
    expect(failure(() => connectTable('thing__c', 'thinguuid__c', { thinguuid__c: text(), colour__c: text(key) })).message).toContain(`"${key}" is 64 bytes`);
  });

  it('is refused as a schema name', () => {
    const schema = nameOf(64, 'hc_');
    const error = failure(() => connectTable('thing__c', 'thinguuid__c', { thinguuid__c: text() }, { schema }));
    expect(error).toBeInstanceOf(MirrorObjectDeclarationError);
    expect(error.message).toBe(`thing__c: the mirror schema name "${schema}" is 64 bytes, past Postgres's limit of 63 bytes (it would silently cut the name short)`);
  });

  it('counts bytes, not characters: 32 two-byte characters are 64 bytes', () => {
    const schema = 'ä'.repeat(32);
    expect(schema).toHaveLength(32);
    expect(failure(() => connectTable('thing__c', 'thinguuid__c', { thinguuid__c: text() }, { schema })).message).toContain(`"${schema}" is 64 bytes`);
  });

  it('is refused by defineMirrorObject over a table connectTable did not make', () => {
    const column = nameOf(64, 'colour__c_');
    const table = pgSchema('salesforce').table('thing__c', { thinguuid__c: text(), [column]: text() });
    const error = failure(() => thing(table));
    expect(error).toBeInstanceOf(MirrorObjectDeclarationError);
    expect(error.message).toBe(`Thing__c: the mirror column name "${column}" is 64 bytes, past Postgres's limit of 63 bytes (it would silently cut the name short)`);
    const longTable = nameOf(64, 'thing__c_');
    expect(failure(() => thing(pgSchema('salesforce').table(longTable, { thinguuid__c: text() }))).message).toContain(`Thing__c: the mirror table name "${longTable}" is 64 bytes`);
    const longSchema = nameOf(64, 'hc_');
    expect(failure(() => thing(pgSchema(longSchema).table('thing__c', { thinguuid__c: text() }))).message).toContain(`Thing__c: the mirror schema name "${longSchema}" is 64 bytes`);
  });
});

describe('a mirror name of up to 63 bytes', () => {
  it('is accepted as a schema, table and column name, and declared as written', () => {
    const schema = nameOf(63, 'hc_');
    const tableName = nameOf(63, 'thing__c_');
    const column = nameOf(63, 'colour__c_');
    const table = connectTable(tableName, 'thinguuid__c', { thinguuid__c: varchar({ length: 36 }), [column]: text() }, { schema });
    const object = thing(table);
    expect(object.mirrorSchema).toBe(schema);
    expect(object.tableName).toBe(tableName);
    expect(Object.keys(object.columnTypes)).toContain(column);
  });

  it('is accepted with multi-byte characters under 64 bytes', () => {
    const schema = `hc_${'ö'.repeat(30)}`; // 33 characters, 63 bytes
    const column = `farbe_${'ü'.repeat(27)}__c`; // 36 characters, 63 bytes
    expect([Buffer.byteLength(schema), Buffer.byteLength(column)]).toEqual([63, 63]);
    const table = connectTable('thing__c', 'thinguuid__c', { thinguuid__c: text(), [column]: text() }, { schema });
    const object = thing(table);
    expect(object.mirrorSchema).toBe(schema);
    expect(Object.keys(object.columnTypes)).toContain(column);
  });
});
