/**
 * The dashboard: an overview of the sync queues and the doctor's classes, and pg-boss's own
 * dashboard for jobs under /queues, all behind HTTP basic authentication, failed logins limited
 * per client address. It refuses to start without credentials. A failed request is one JSON log
 * line, never a multi-line stack.
 */
import { format } from 'node:util';
// Before the jobs pages' package: it takes pg's Pool as it loads (see jobs-pages-pool.ts).
import { jobsPagesPoolCap } from './jobs-pages-pool.ts';
import { createDashboardHandler } from '@pg-boss/dashboard/handler';
import { Hono } from 'hono';
import { basicAuth } from 'hono/basic-auth';
import { bearerAuth } from 'hono/bearer-auth';
import { HTTPException } from 'hono/http-exception';
import type { Settings } from '../config.ts';
import type { Database } from '../db/database.ts';
import { silentLogger, type Logger } from '../log.ts';
import { samplesRead } from '../metrics/metrics-store.ts';
import { SyncMetrics } from '../metrics/sync-metrics.ts';
import { doctorReport } from '../ops/doctor-report.ts';
import { bossSchema } from '../queue/queues.ts';
import type { SyncConfig } from '../sync-config.ts';
import { queueDepthsRead } from '../worker/queue-depths.ts';
import { dashboardDatabaseUrl, dashboardHost, dashboardListen } from './dashboard-listen.ts';
import { loginLimited, type LoginLimitOptions } from './login-limit.ts';
import { overviewPage } from './overview-page.ts';
import { ConnectSyncError } from '../errors.ts';

const queuesPath = '/queues';
const metricsPath = '/metrics';

export class DashboardCredentialsMissingError extends ConnectSyncError {
  readonly code = 'DASHBOARD_CREDENTIALS_MISSING';
  constructor() {
    super('The dashboard needs DASHBOARD_USER and DASHBOARD_PASSWORD (at least 12 characters); it never runs without credentials.');
  }
}

export interface DashboardServer {
  /** The port it listens on (useful when started on port 0). */
  port: number;
  /** The interface it listens on. */
  host: string;
  stop(): Promise<void>;
}

/**
 * The dashboard's routes, for serving or for testing with `app.request()`. `/metrics` (Prometheus
 * text) takes `metricsToken` as a bearer token when one is given, else the dashboard's credentials;
 * it answers from the last collection, read again in the background once `metricsCollectSeconds`
 * old (15 by default).
 */
export function dashboardApp(
  database: Database,
  config: SyncConfig,
  credentials: { username: string; password: string },
  log: Logger = silentLogger,
  options: { loginLimit?: LoginLimitOptions; metricsToken?: string; metricsCollectSeconds?: number } = {},
) {
  const queues = createDashboardHandler({
    databases: [{ url: dashboardDatabaseUrl(database), name: 'connect-sync', schema: bossSchema }],
    basePath: queuesPath,
  });
  const app = new Hono();
  app.onError((error, c) => {
    // A refusal (401 from basic auth) is an answer, not a failure.
    if (error instanceof HTTPException) return error.getResponse();
    log.error({ err: error, method: c.req.method, path: c.req.path }, `dashboard request failed: ${error.message}`);
    return c.text('Internal Server Error', 500);
  });
  const dashboardAuth = loginLimited(basicAuth({ ...credentials, realm: 'connect-sync' }), log, options.loginLimit);
  app.use('*', (c, next) => (c.req.path === metricsPath && options.metricsToken ? next() : dashboardAuth(c, next)));
  if (options.metricsToken) app.use(metricsPath, bearerAuth({ token: options.metricsToken }));
  const metrics = new SyncMetrics(database, config, { log, collectEverySeconds: options.metricsCollectSeconds });
  app.get(metricsPath, async (c) => c.body(await metrics.registry.metrics(), 200, { 'Content-Type': metrics.registry.contentType }));
  app.get('/', async (c) => {
    const history = { samples: await samplesRead(database.db), queues: config.objects.objects.map((object) => object.queue) };
    return c.html(overviewPage(await queueDepthsRead(database.db), await doctorReport(database, config), queuesPath, history));
  });
  // The jobs pages query through the pg-boss dashboard's own pool (up to 10, opened as requests
  // need them): within the process's connection budget, only so many of its requests run at once.
  const queuesLimited = concurrencyLimited(database.budget?.boss ?? Number.POSITIVE_INFINITY);
  if (database.budget) jobsPagesPoolCap(database.budget.boss);
  app.all(`${queuesPath}`, (c) => queuesLimited(() => queues(c.req.raw)));
  app.all(`${queuesPath}/*`, (c) => queuesLimited(() => queues(c.req.raw)));
  return { app, metrics, close: () => queues.close() };
}

/** Starts the dashboard on HOST and PORT; refuses without credentials or on a busy port (one line). */
export async function dashboardStart(
  database: Database,
  config: SyncConfig,
  log: Logger,
  settings: Pick<Settings, 'PORT' | 'DASHBOARD_USER' | 'DASHBOARD_PASSWORD'> & Partial<Pick<Settings, 'HOST' | 'METRICS_TOKEN'>>,
): Promise<DashboardServer> {
  if (!settings.DASHBOARD_USER || !settings.DASHBOARD_PASSWORD) throw new DashboardCredentialsMissingError();
  const { app, close } = dashboardApp(database, config, { username: settings.DASHBOARD_USER, password: settings.DASHBOARD_PASSWORD }, log, {
    metricsToken: settings.METRICS_TOKEN,
  });
  const host = dashboardHost(settings);
  const restoreConsole = consoleToLog(log);
  let server;
  try {
    server = await dashboardListen(app.fetch, host, settings.PORT);
  } catch (error) {
    restoreConsole();
    await close();
    throw error;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : settings.PORT;
  log.info({ host, port }, 'dashboard listening');
  return {
    port,
    host,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await close();
      restoreConsole();
    },
  };
}

/** Runs at most `limit` of the given works at once; the rest wait their turn. */
function concurrencyLimited(limit: number): <T>(work: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (work) => {
    while (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      return await work();
    } finally {
      running -= 1;
      waiting.shift()?.();
    }
  };
}

/**
 * The pg-boss dashboard reports request errors with console.error (multi-line stacks); while
 * the dashboard runs they become one log line each. Returns the function that restores console.
 */
function consoleToLog(log: Logger): () => void {
  const { error, warn } = console;
  console.error = (...args: unknown[]) => log.error({ err: args.find((arg) => arg instanceof Error) }, `dashboard: ${format(...args.map(firstLine))}`);
  console.warn = (...args: unknown[]) => log.warn(`dashboard: ${format(...args.map(firstLine))}`);
  return () => {
    console.error = error;
    console.warn = warn;
  };
}

function firstLine(arg: unknown): unknown {
  if (arg instanceof Error) return `${arg.name}: ${arg.message.split('\n')[0]}`;
  return typeof arg === 'string' ? arg.split('\n')[0] : arg;
}
