/**
 * A database of the test file's own, cloned from the migrated template: isolated from every
 * other file, so files run in parallel against one server.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, inject } from 'vitest';
import { databaseConnect, type Database } from '../../src/db/database.ts';

/** Creates a database cloned from the template, dropped when the file's tests end. */
export async function testDatabase(options: { empty?: boolean } = {}): Promise<Database> {
  const adminUrl = inject('adminUrl');
  const name = `connect_sync_test_${randomBytes(6).toString('hex')}`;
  const template = options.empty ? 'template0' : inject('templateDatabase');
  await adminQuery(adminUrl, `CREATE DATABASE ${name} TEMPLATE ${template}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await databaseConnect(url.toString());
  afterAll(async () => {
    await database.close();
    await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
  return database;
}

async function adminQuery(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
