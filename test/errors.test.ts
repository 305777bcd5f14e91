/**
 * One error family: every error class the package exports is a ConnectSyncError with a code of its
 * own, and the errors a host meets through the facade and the declarations carry theirs.
 */
import { randomUUID } from 'node:crypto';
import { pgTable, text } from 'drizzle-orm/pg-core';
import { afterAll, describe, expect, it } from 'vitest';
import * as root from '../src/index.ts';
import * as editorApp from '../src/editor/index.ts';
import * as testing from '../src/testing.ts';
import { connectSync, connectTable, ConnectSyncError, defineMirrorObject, z } from '../src/index.ts';
import { account, employee } from './host/host-objects.ts';
import { testDatabase } from './support/database.ts';

/** Every exported class that makes errors, by its exported name. */
function errorClasses(module: Record<string, unknown>): [string, new (...args: never[]) => Error][] {
  return Object.entries(module).filter((entry): entry is [string, new (...args: never[]) => Error] => {
    const value = entry[1];
    return typeof value === 'function' && value.prototype instanceof Error;
  });
}

const database = await testDatabase();
const sync = connectSync({ database, objects: [account, employee], log: root.silentLogger });
afterAll(() => sync.stop());

describe('the error family', () => {
  const exported = [...errorClasses(root), ...errorClasses(testing), ...errorClasses(editorApp)];

  it('makes every exported error a ConnectSyncError with a distinct code and its own name', () => {
    expect(exported.length).toBeGreaterThan(10);
    const codes = new Map<string, string>();
    for (const [name, ErrorClass] of exported) {
      if (name === 'ConnectSyncError') continue;
      // Each constructor takes a message first, or values it builds one from; any will do here.
      const error = new (ErrorClass as unknown as new (...args: unknown[]) => Error)('a message', 'x', 'y', false);
      expect(error, name).toBeInstanceOf(ConnectSyncError);
      expect(error.name, name).toBe(name);
      const code = (error as ConnectSyncError).code;
      expect(code, name).toMatch(/^[A-Z]+(_[A-Z]+)+$/);
      expect(codes.get(code), `${name} and ${codes.get(code)} share ${code}`).toBeUndefined();
      codes.set(code, name);
    }
  });

  it('gives a payload of the wrong shape its code, before anything is written', async () => {
    const failure = await database.db
      .transaction((tx) => sync.enqueue(account, { accountId: 'not a number' } as never, { tx }))
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(root.PayloadInvalidError);
    expect((failure as ConnectSyncError).code).toBe('PAYLOAD_INVALID');
  });

  it('gives an object outside the declared set its code', async () => {
    const stranger = defineMirrorObject({ ...account, name: 'Stranger__c', queue: 'stranger' });
    const failure = await database.db.transaction((tx) => sync.enqueue(stranger, { accountId: randomUUID() }, { tx })).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(root.MirrorObjectUnknownError);
    expect((failure as ConnectSyncError).code).toBe('MIRROR_OBJECT_UNKNOWN');
  });

  it('gives a declaration naming a column its table lacks its code', () => {
    const table = connectTable('thing__c', 'thinguuid__c', { thinguuid__c: text('thinguuid__c') });
    const source = pgTable('things', { id: text('id').primaryKey() });
    const declare = () =>
      defineMirrorObject({
        name: 'Thing__c',
        record: 'Thing',
        table,
        externalId: 'thinguuid__c',
        queue: 'thing',
        payload: z.object({ thingId: z.string() }),
        payloadKey: 'thingId',
        source: { table: source, id: source.id },
        fields: { thinguuid__c: source.id, colour__c: source.id },
        write: 'upsert',
      });
    expect(declare).toThrow(root.MirrorObjectDeclarationError);
    expect(declare).toThrow('Thing__c: colour__c is not a column of the mirror table');
    try {
      declare();
    } catch (error) {
      expect((error as ConnectSyncError).code).toBe('MIRROR_OBJECT_DECLARATION_INVALID');
    }
  });
});
