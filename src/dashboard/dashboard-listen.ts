/**
 * Where and how the dashboard listens: loopback unless told otherwise or on a Heroku dyno, a
 * busy port as one clear line, and the pg-boss dashboard connected with the same TLS rule
 * (DATABASE_SSL) as every other client.
 */
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import type { Database } from '../db/database.ts';
import { ConnectSyncError } from '../errors.ts';

/** The dashboard's port is taken by another process. */
export class DashboardPortInUseError extends ConnectSyncError {
  readonly code = 'DASHBOARD_PORT_IN_USE';
  constructor(host: string, port: number) {
    super(`The dashboard cannot listen on ${host}:${port}: the port is in use by another process; stop it or set PORT to a free port.`);
  }
}

/**
 * HOST when set; otherwise 0.0.0.0 on a Heroku dyno (DYNO is set there, and the router reaches
 * the dyno on PORT from outside), else 127.0.0.1 so a laptop does not expose it to its network.
 */
export function dashboardHost(settings: { HOST?: string | undefined }, env: NodeJS.ProcessEnv = process.env): string {
  return settings.HOST ?? (env.DYNO ? '0.0.0.0' : '127.0.0.1');
}

/** Serves `fetch` on host:port; a busy port rejects with {@link DashboardPortInUseError}. */
export function dashboardListen(fetch: (request: Request) => Response | Promise<Response>, host: string, port: number): Promise<Server> {
  return new Promise<Server>((resolve, reject) => {
    const server = serve({ fetch, port, hostname: host }, () => resolve(server as Server)) as Server;
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new DashboardPortInUseError(host, port) : error);
    });
  });
}

/**
 * The URL the pg-boss dashboard connects with: it takes only a URL, so the TLS every other client
 * uses (database-tls.ts; the database's URL carries none) is written into it in node-postgres's
 * own words: `disable`, `no-verify`, or `verify-full` with the CA file the URL named.
 */
export function dashboardDatabaseUrl(database: Pick<Database, 'url' | 'ssl' | 'sslRootCertFile'>): string {
  const url = new URL(database.url);
  const { ssl } = database;
  if (ssl === false || ssl === undefined) url.searchParams.set('sslmode', 'disable');
  else if (typeof ssl === 'object' && ssl.rejectUnauthorized === false) url.searchParams.set('sslmode', 'no-verify');
  else {
    url.searchParams.set('sslmode', 'verify-full');
    if (database.sslRootCertFile) url.searchParams.set('sslrootcert', database.sslRootCertFile);
  }
  return url.toString();
}
