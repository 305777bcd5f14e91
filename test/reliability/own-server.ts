/**
 * A PostgreSQL server of a test's (or the soak's) own, embedded, in a temporary folder, on a port
 * of its own: for what the shared test server must not suffer, being stopped and restarted, or
 * run with a small connection limit. Its database is laid out as the shared template is (queue, mirror tables,
 * Connect's triggers).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devDatabasePrepare } from '../../src/connect-sim/dev-database.ts';
import { databaseEnsure } from '../../src/db/database-admin.ts';
import { databaseConnect, type Database } from '../../src/db/database.ts';
import { embeddedServerStart, type EmbeddedServer, type EmbeddedServerOptions } from '../../src/db/embedded-postgres.ts';
import { silentLogger } from '../../src/log.ts';
import { editorConfig } from '../support/editor.ts';

export interface OwnServer {
  /** The prepared database; its pool reconnects by itself after a restart. */
  database: Database;
  /** Stops the server (a fast shutdown: every connection is cut). */
  stop(): Promise<void>;
  /** Starts it again on the same port, with the same data. */
  start(): Promise<void>;
  /** Stops it for good and deletes its data. */
  remove(): Promise<void>;
}

/**
 * Starts a server of its own with `settings` (`-c` flags), its database prepared. `poolSize`: the
 * caller's own connections to it. (Tests use ownServerStart in support.ts, which removes it.)
 */
export async function ownServerOpen(settings: EmbeddedServerOptions['settings'] = {}, { poolSize = 10 } = {}): Promise<OwnServer> {
  const folder = mkdtempSync(join(tmpdir(), 'connect-sync-own-server-'));
  // Postgres runs as its own user when we are root, and must reach the data folder inside.
  chmodSync(folder, 0o755);
  const dataDir = join(folder, 'pg');
  let server: EmbeddedServer | undefined = await embeddedServerStart(dataDir, silentLogger, { settings });
  const adminUrl = server.url('postgres');
  const port = Number(new URL(adminUrl).port);
  await databaseEnsure(adminUrl, 'connect_sync');
  const database = await databaseConnect(server.url('connect_sync'), false, { poolSize });
  await devDatabasePrepare(database, editorConfig, silentLogger);
  return {
    database,
    async stop() {
      await server?.stop();
      server = undefined;
    },
    async start() {
      server = await embeddedServerStart(dataDir, silentLogger, { settings, port });
    },
    async remove() {
      await database.close().catch(() => undefined);
      await server?.stop();
      server = undefined;
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
