/**
 * `connect-sync/testing`: for development and tests, never production; what a host app's own
 * tests use. A database of the test file's own, laid out as one Heroku Connect serves (the app's
 * migrations the config names, the queue, the mirror tables, Connect's triggers and trigger log);
 * the sync of a few jobs run inline, without a worker; and the local Heroku Connect stand-in
 * (`ConnectSim`). In production Heroku Connect owns the mirror tables; the package root loads
 * nothing of this.
 */
import { randomBytes } from 'node:crypto';
import { ConnectSim } from './connect-sim/connect-sim.ts';
import { devDatabasePrepare } from './connect-sim/dev-database.ts';
import type { ConnectSimOptions } from './connect-sim/options.ts';
import { databaseDrop, databaseRecreate, databaseUrlFor } from './db/database-admin.ts';
import { databaseConnect, DatabaseUrlMissingError, type Database } from './db/database.ts';
import { databaseTls, type DatabaseSslSetting } from './db/database-tls.ts';
import { silentLogger, type Logger } from './log.ts';
import type { AnyMirrorObject } from './mirror/object-set.ts';
import { syncConfigResolve, type ConnectSyncConfig, type SyncConfig } from './sync-config.ts';
import { syncBatch, type SyncOutcome } from './sync/sync-batch.ts';

export { ConnectSim, ConnectSimNotInstalledError, type DrainResult } from './connect-sim/connect-sim.ts';
export { ConnectSimInstallRefusedError } from './connect-sim/install.ts';
export { ConnectSimOptionsError, type ConnectSimOptions } from './connect-sim/options.ts';
export { devDatabasePrepare } from './connect-sim/dev-database.ts';
export { mirrorTablesCreate, MirrorSchemaForeignError } from './connect-sim/mirror-tables.ts';
export type { SyncOutcome } from './sync/sync-batch.ts';

/** The Connect stand-in over `database`, for the objects of `config` (as the config file declares them). */
export function connectSimCreate(database: Pick<Database, 'url' | 'ssl'>, config: ConnectSyncConfig | SyncConfig, options: ConnectSimOptions = {}): ConnectSim {
  return new ConnectSim(database, syncConfigResolve(config).objects, options);
}

/**
 * Creates a database of its own on the server `url` names (default: DATABASE_URL; the role needs
 * CREATEDB), prepared for `config`'s objects. `close()` drops it.
 */
export async function testDatabaseCreate(
  config: ConnectSyncConfig | SyncConfig,
  options: { url?: string; log?: Logger } = {},
): Promise<Database> {
  const serverUrl = options.url ?? process.env.DATABASE_URL;
  if (!serverUrl) throw new DatabaseUrlMissingError('testDatabaseCreate needs a server: set DATABASE_URL (postgres://user@host:5432/any-database; the role needs CREATEDB), or pass { url }.');
  const tls = databaseTls(serverUrl, process.env.DATABASE_SSL as DatabaseSslSetting | undefined);
  const name = `connect_sync_test_${randomBytes(6).toString('hex')}`;
  await databaseRecreate(tls.url, name, { ssl: tls.ssl });
  const database = await databaseConnect(databaseUrlFor(tls.url, name), tls.ssl);
  try {
    await devDatabasePrepare(database, config, options.log ?? silentLogger);
  } catch (error) {
    await database.close();
    await databaseDrop(tls.url, name, tls.ssl);
    throw error;
  }
  return {
    ...database,
    close: async () => {
      await database.close();
      await databaseDrop(tls.url, name, tls.ssl);
    },
  };
}

/**
 * Syncs one job per payload of `object` now, in this process, as a worker's batch would (parent
 * guard included), and returns each outcome in order: `written`, `waiting` on a parent, `skipped`,
 * or `rejected`. No queue, no job rows: for a test that checks what a record becomes.
 */
export async function syncInline(
  database: Pick<Database, 'db'>,
  config: ConnectSyncConfig | SyncConfig,
  object: AnyMirrorObject,
  payloads: readonly object[],
): Promise<SyncOutcome[]> {
  const jobs = payloads.map((data, index) => ({ id: `inline-${index}`, data }));
  const outcomes = await syncBatch(database.db, syncConfigResolve(config).objects, object, jobs, { enabled: true });
  return jobs.map((job) => outcomes.get(job.id)!);
}
