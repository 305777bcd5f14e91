/**
 * Starts the run's Postgres (embedded in a temporary folder unless DATABASE_URL names a server)
 * and migrates a template database that each test file clones.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { devDatabasePrepare } from '../../src/connect-sim/dev-database.ts';
import { databaseDrop, databaseRecreate, databaseUrlFor } from '../../src/db/database-admin.ts';
import { databaseConnect } from '../../src/db/database.ts';
import { embeddedServerStart, type EmbeddedServer } from '../../src/db/embedded-postgres.ts';
import { silentLogger } from '../../src/log.ts';
import { editorConfig } from './editor.ts';

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
  await databaseRecreate(adminUrl, templateDatabase);
  const template = await databaseConnect(databaseUrlFor(adminUrl, templateDatabase));
  try {
    // Every test database has Connect's triggers and trigger log, as a real Connect database would.
    await devDatabasePrepare(template, editorConfig, silentLogger);
  } finally {
    await template.close();
  }
  project.provide('adminUrl', adminUrl);
  project.provide('templateDatabase', templateDatabase);

  return async () => {
    await databaseDrop(adminUrl, templateDatabase);
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
}
