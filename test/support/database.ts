/**
 * A database of the test file's own, cloned from the migrated template: isolated from every
 * other file, so files run in parallel against one server.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, inject } from 'vitest';
import { databaseDrop, databaseRecreate, databaseUrlFor } from '../../src/db/database-admin.ts';
import { databaseConnect, type Database } from '../../src/db/database.ts';

/** Creates a database cloned from the template, dropped when the file's tests end. */
export async function testDatabase(options: { empty?: boolean } = {}): Promise<Database> {
  const adminUrl = inject('adminUrl');
  const name = `connect_sync_test_${randomBytes(6).toString('hex')}`;
  const template = options.empty ? 'template0' : inject('templateDatabase');
  await databaseRecreate(adminUrl, name, { template });
  const database = await databaseConnect(databaseUrlFor(adminUrl, name));
  afterAll(async () => {
    await database.close();
    await databaseDrop(adminUrl, name);
  });
  return database;
}
