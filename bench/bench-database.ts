/**
 * A database of its own for one benchmark: on DATABASE_URL's server when set, else on an embedded
 * Postgres in a temporary folder; migrated (app, queue, mirror) and dropped afterwards.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseDrop, databaseEnsure, databaseRecreate, databaseUrlFor } from '../src/db/database-admin.ts';
import { databaseConnect, type Database } from '../src/db/database.ts';
import { embeddedServerStart } from '../src/db/embedded-postgres.ts';
import { migrateQueue } from '../src/schema/migrate.ts';
import { mirrorTablesCreate } from '../src/connect-sim/mirror-tables.ts';
import { silentLogger } from '../src/log.ts';
import { editorConfig } from '../src/editor/preset.ts';

/** An open, migrated database and how to get rid of it. */
export interface BenchDatabase {
  database: Database;
  /** The server, for the report: `embedded` or the DATABASE_URL host. */
  server: string;
  drop(): Promise<void>;
}

/**
 * Creates and migrates a database named `name` (suffixed with the process id). With `keep`, on
 * DATABASE_URL's server only, the database is named `name` as given, used again when it exists
 * (migrating is idempotent) and left in place by `drop()`: for a data set too big to load each run.
 */
export async function benchDatabaseCreate(name: string, options: { keep?: boolean } = {}): Promise<BenchDatabase> {
  const keep = options.keep === true;
  if (keep && !process.env.DATABASE_URL) throw new Error('A kept benchmark database needs DATABASE_URL: an embedded server is gone after the run');
  let stopServer = async () => undefined as void;
  let adminUrl = process.env.DATABASE_URL;
  let server = 'DATABASE_URL';
  if (!adminUrl) {
    const dataDir = mkdtempSync(join(tmpdir(), 'connect-sync-bench-'));
    // Postgres runs as its own user when we are root, and must reach the data folder inside.
    chmodSync(dataDir, 0o755);
    const embedded = await embeddedServerStart(join(dataDir, 'pg'), silentLogger, { persistent: false });
    adminUrl = embedded.url('postgres');
    server = 'embedded';
    stopServer = async () => {
      await embedded.stop();
      rmSync(dataDir, { recursive: true, force: true });
    };
  }
  const databaseName = keep ? name : `${name}_${process.pid}`;
  if (keep) await databaseEnsure(adminUrl, databaseName);
  else await databaseRecreate(adminUrl, databaseName);
  const database = await databaseConnect(databaseUrlFor(adminUrl, databaseName));
  // Mirror tables without the Connect stand-in's triggers: seeds write Connect's own states
  // (SYNCED, FAILED) straight in, as a real mirror holds them, and no trigger log is kept.
  await migrateQueue(database, editorConfig, silentLogger);
  await mirrorTablesCreate(database, editorConfig.objects, silentLogger);
  const { rows } = await database.pool.query<{ server_version: string }>(`SHOW server_version`);
  return {
    database,
    server: `${server}, PostgreSQL ${rows[0]?.server_version ?? '?'}`,
    drop: async () => {
      await database.close();
      if (!keep) await databaseDrop(adminUrl, databaseName);
      await stopServer();
    },
  };
}
