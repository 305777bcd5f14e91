/**
 * Where the database comes from: DATABASE_URL when set, otherwise an embedded Postgres started
 * by this process. Nothing outside this module knows which one it got.
 */
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import type { Settings } from '../config.ts';
import { describeDatabaseUrl, type Logger } from '../log.ts';
import { databaseEnsure } from './database-admin.ts';
import { embeddedServerStart } from './embedded-postgres.ts';

/** The database name used on the embedded server. */
const embeddedDatabase = 'connect_sync';

export type Drizzle = NodePgDatabase<Record<string, never>>;

/** An open database: a pool, Drizzle over it, and the URL other clients (pg-boss) connect with. */
export interface Database {
  url: string;
  /** TLS options matching `url`, for any other client that connects to it. */
  ssl: pg.ConnectionConfig['ssl'];
  pool: pg.Pool;
  db: Drizzle;
  /** Host, port and database, without credentials: safe to log. */
  description: string;
  close(): Promise<void>;
}

/** Opens the database the settings name, starting the embedded server when none is named. */
export async function databaseOpen(
  settings: Pick<Settings, 'DATABASE_URL' | 'DATABASE_SSL' | 'EMBEDDED_POSTGRES_DIR'>,
  log: Logger,
  options: { poolSize?: number } = {},
): Promise<Database> {
  if (settings.DATABASE_URL) {
    return databaseConnect(settings.DATABASE_URL, sslFor(settings.DATABASE_URL, settings.DATABASE_SSL), options);
  }
  const server = await embeddedServerStart(settings.EMBEDDED_POSTGRES_DIR, log);
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

/** Connects to `url` and checks that it answers. */
export async function databaseConnect(url: string, ssl: pg.ConnectionConfig['ssl'] = false, options: { poolSize?: number } = {}): Promise<Database> {
  // Mirror timestamps have no time zone and Connect writes them in UTC; so do we.
  const pool = new pg.Pool({ connectionString: url, ssl, max: options.poolSize ?? 10, options: '-c TimeZone=UTC' });
  // An idle client that loses its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end();
    throw new Error(`Cannot connect to Postgres at ${describeDatabaseUrl(url)}: ${(error as Error).message}`, { cause: error });
  }
  return { url, ssl, pool, db: drizzle({ client: pool }), description: describeDatabaseUrl(url), close: () => pool.end() };
}

function sslFor(url: string, mode: Settings['DATABASE_SSL']): pg.ConnectionConfig['ssl'] {
  if (mode === 'off') return false;
  if (mode === 'verify') return { rejectUnauthorized: true };
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '127.0.0.1' || host === '::1' ? false : { rejectUnauthorized: false };
}
