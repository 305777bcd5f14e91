/**
 * Starts the run's Postgres (embedded in a temporary folder unless DATABASE_URL names a server)
 * and migrates a template database that each test file clones.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { databaseConnect } from '../../src/db/database.ts';
import { embeddedServerStart, type EmbeddedServer } from '../../src/db/embedded-postgres.ts';
import { connectSimInstall } from '../../src/connect-sim/install.ts';
import { migrateApp, migrateMirror } from '../../src/db/migrate.ts';
import { silentLogger } from '../../src/log.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A URL on the test server for administrative statements (CREATE DATABASE). */
    adminUrl: string;
    /** The migrated database every test file clones. */
    templateDatabase: string;
  }
}

export default async function setup(project: TestProject) {
  let server: EmbeddedServer | undefined;
  let dataDir: string | undefined;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    dataDir = mkdtempSync(join(tmpdir(), 'connect-sync-test-'));
    // Postgres runs as its own user when we are root, and must reach the data folder inside.
    chmodSync(dataDir, 0o755);
    server = await embeddedServerStart(join(dataDir, 'pg'), silentLogger, { persistent: false });
    adminUrl = server.url('postgres');
  }
  const templateDatabase = `connect_sync_template_${process.pid}`;
  await admin(adminUrl, `DROP DATABASE IF EXISTS ${templateDatabase}`);
  await admin(adminUrl, `CREATE DATABASE ${templateDatabase}`);
  const url = new URL(adminUrl);
  url.pathname = `/${templateDatabase}`;
  const template = await databaseConnect(url.toString());
  try {
    await migrateApp(template, silentLogger);
    await migrateMirror(template, silentLogger);
    // Every test database has Connect's triggers and trigger log, as a real Connect database would.
    await connectSimInstall(template, silentLogger);
  } finally {
    await template.close();
  }
  project.provide('adminUrl', adminUrl);
  project.provide('templateDatabase', templateDatabase);

  return async () => {
    await admin(adminUrl, `DROP DATABASE IF EXISTS ${templateDatabase} WITH (FORCE)`);
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
}

async function admin(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
