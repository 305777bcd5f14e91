/**
 * The dashboard: an overview of the sync queues and the doctor's classes, and pg-boss's own
 * dashboard for jobs under /queues, all behind HTTP basic authentication. It refuses to start
 * without credentials.
 */
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { createDashboardHandler } from '@pg-boss/dashboard/handler';
import { Hono } from 'hono';
import { basicAuth } from 'hono/basic-auth';
import type { Settings } from '../config.ts';
import type { Database } from '../db/database.ts';
import type { Logger } from '../log.ts';
import { doctorReport } from '../ops/doctor-report.ts';
import { bossSchema } from '../queue/queues.ts';
import type { SyncConfig } from '../sync-config.ts';
import { queueDepthsRead } from '../worker/queue-summary.ts';
import { overviewPage } from './overview-page.ts';

const queuesPath = '/queues';

export class DashboardCredentialsMissing extends Error {
  override name = 'DashboardCredentialsMissing';
  constructor() {
    super('The dashboard needs DASHBOARD_USER and DASHBOARD_PASSWORD (at least 12 characters); it never runs without credentials.');
  }
}

export interface DashboardServer {
  /** The port it listens on (useful when started on port 0). */
  port: number;
  stop(): Promise<void>;
}

/** The dashboard's routes, for serving or for testing with `app.request()`. */
export function dashboardApp(database: Database, config: SyncConfig, credentials: { username: string; password: string }) {
  const queues = createDashboardHandler({ databases: [{ url: database.url, name: 'connect-sync', schema: bossSchema }], basePath: queuesPath });
  const app = new Hono();
  app.use('*', basicAuth({ ...credentials, realm: 'connect-sync' }));
  app.get('/', async (c) => c.html(overviewPage(await queueDepthsRead(database.db), await doctorReport(database, config), queuesPath)));
  app.all(`${queuesPath}`, (c) => queues(c.req.raw));
  app.all(`${queuesPath}/*`, (c) => queues(c.req.raw));
  return { app, close: () => queues.close() };
}

export async function dashboardStart(
  database: Database,
  config: SyncConfig,
  log: Logger,
  settings: Pick<Settings, 'PORT' | 'DASHBOARD_USER' | 'DASHBOARD_PASSWORD'>,
): Promise<DashboardServer> {
  if (!settings.DASHBOARD_USER || !settings.DASHBOARD_PASSWORD) throw new DashboardCredentialsMissing();
  const { app, close } = dashboardApp(database, config, { username: settings.DASHBOARD_USER, password: settings.DASHBOARD_PASSWORD });
  const server = await new Promise<Server>((resolve) => {
    const started = serve({ fetch: app.fetch, port: settings.PORT }, () => resolve(started as Server));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : settings.PORT;
  log.info({ port }, 'dashboard listening');
  return {
    port,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await close();
    },
  };
}
