/**
 * Settings, read from the environment once at start and validated by one schema.
 * A bad value stops the process with one line naming the variable and what it expects;
 * the value itself is never echoed, since it may hold a password.
 */
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import type { WorkerConfig } from './worker/worker-config.ts';
import { ConnectSyncError } from './errors.ts';

/** DATABASE_URL's value asking for the embedded PostgreSQL, a development server this process starts. */
export const embeddedDatabaseUrl = 'embedded';

const postgresUrl = z
  .string()
  .refine((value) => {
    if (value === embeddedDatabaseUrl) return true;
    try {
      const url = new URL(value);
      return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '';
    } catch {
      return false;
    }
  }, `a connection URL of the form postgres://user:password@host:5432/database, or ${embeddedDatabaseUrl} (development only)`);

/** A cron expression as pg-boss's scheduler parses it (same cron-parser, same options), or `off`. */
export function cronValid(value: string): boolean {
  if (value.trim().toLowerCase() === 'off') return true;
  try {
    CronExpressionParser.parse(value, { tz: 'UTC', strict: false });
    return true;
  } catch {
    return false;
  }
}

/** EMBEDDED_POSTGRES_DIR's default (the embedded server may move it when root's postgres user cannot reach it). */
export const embeddedPostgresDefaultDir = '.data/postgres';

/**
 * Syncing is on unless switched off, for the CLI (SALESFORCE_ENABLED unset) and connectSync()
 * alike: off loses syncs (jobs discarded), while on writes mirror rows, which reach Salesforce
 * only where Heroku Connect is attached to the database.
 */
export const syncEnabledDefault = true;

/** Exactly true or false: a typo must not flip the switch. */
const flag = z.enum(['true', 'false'], { error: 'true or false' }).transform((value) => value === 'true');

const settingsSchema = z.object({
  /**
   * Postgres holding the app's tables, the mirror and the queue. `embedded` starts a development
   * server in this process; unset, every command but this repository's demo stops.
   */
  DATABASE_URL: postgresUrl.optional(),
  /**
   * TLS to Postgres: `auto` uses TLS without verifying the certificate for any host but
   * localhost (Heroku Postgres presents one no CA signs); `verify` checks it; `off` never uses TLS.
   */
  DATABASE_SSL: z.enum(['auto', 'verify', 'off'], { error: 'one of auto, verify, off' }).optional(),
  /** The connections one worker or dashboard process may hold (defaults: worker 8, dashboard 4). */
  DATABASE_MAX_CONNECTIONS: z.coerce
    .number({ error: 'a whole number of connections' })
    .int('a whole number of connections')
    .min(4, 'at least 4 connections')
    .optional(),
  /** Where the embedded Postgres keeps its data when DATABASE_URL is unset. */
  EMBEDDED_POSTGRES_DIR: z.string().min(1, 'a folder path').default(embeddedPostgresDefaultDir),
  /** `false` turns syncing off (nothing enqueued, jobs that run discarded); unset: syncEnabledDefault (on). */
  SALESFORCE_ENABLED: flag.optional(),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  /** `json` for log drains, `pretty` for a terminal. Unset: pretty on a terminal, JSON elsewhere. */
  LOG_FORMAT: z.enum(['json', 'pretty'], { error: 'json or pretty' }).optional(),
  /** Cron expression for the self-healing reconciler; `off` disables it. */
  RECONCILER_CRON: z
    .string()
    .refine(cronValid, 'a cron expression such as */5 * * * *, or off')
    .optional(),
  /** Seconds between the worker's one-line queue summaries; 0 turns them off. */
  WORKER_SUMMARY_SECONDS: z.coerce
    .number({ error: 'a whole number of seconds' })
    .int('a whole number of seconds')
    .min(0, 'zero or more seconds')
    .optional(),
  /** Jobs the worker fetches at once per queue (default 500). */
  WORKER_BATCH_SIZE: z.coerce.number({ error: 'a whole number of jobs' }).int('a whole number of jobs').min(1, 'at least 1').optional(),
  /** Batches of one queue the worker runs at once (default 1: concurrent fetches on a singleton queue collide). */
  WORKER_CONCURRENCY: z.coerce.number({ error: 'a whole number' }).int('a whole number').min(1, 'at least 1').optional(),
  /** Seconds between the worker's polls when idle; LISTEN/NOTIFY wakes it sooner (default 2). */
  WORKER_POLLING_SECONDS: z.coerce.number({ error: 'a number of seconds' }).min(0.5, 'at least 0.5 seconds').optional(),
  /** How long a job may wait for its parents before it gives up (default 16200, 4.5 h). */
  PARENT_WAIT_MAX_SECONDS: z.coerce.number({ error: 'a number of seconds' }).positive('more than 0 seconds').optional(),
  /** Seconds between the waker's checks for parents that arrived (default 0.5); 0 leaves waiting jobs to the backoff. */
  PARENT_WAKE_SECONDS: z.coerce.number({ error: 'a number of seconds' }).min(0, 'zero or more seconds').optional(),
  /** Interface the dashboard listens on. Unset: 127.0.0.1, or 0.0.0.0 on a Heroku dyno (DYNO set). */
  HOST: z.string().min(1, 'an interface address such as 127.0.0.1 or 0.0.0.0').optional(),
  /** Port for the dashboard (Heroku sets PORT for web dynos). */
  PORT: z.coerce.number({ error: 'a port number' }).int('a port number').min(1).max(65535).default(3000),
  /** Credentials for the dashboard; it refuses to start without both. */
  DASHBOARD_USER: z.string().min(1, 'a user name').optional(),
  DASHBOARD_PASSWORD: z.string().min(12, 'a password of at least 12 characters').optional(),
  /** A bearer token for the dashboard's /metrics, for a Prometheus scraper. Unset: /metrics takes the dashboard's credentials. */
  METRICS_TOKEN: z.string().min(24, 'a token of at least 24 characters').optional(),
});

export type Settings = z.output<typeof settingsSchema>;

/** The settings a bad environment broke, as one line fit for a terminal. */
export class ConfigError extends ConnectSyncError { readonly code = 'CONFIG_INVALID'; }

/** Reads and validates the settings; throws ConfigError naming the first bad variable. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  // An empty variable means "unset": Heroku config and shell exports often leave them so.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = settingsSchema.safeParse(present);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const variable = String(issue?.path[0] ?? 'environment');
  throw new ConfigError(`Invalid configuration: ${variable} must be ${issue?.message ?? 'valid'}`);
}

/** Whether syncing is on: SALESFORCE_ENABLED, else the default. */
export function syncEnabled(settings: Pick<Settings, 'SALESFORCE_ENABLED'>): boolean {
  return settings.SALESFORCE_ENABLED ?? syncEnabledDefault;
}

/**
 * The worker's configuration from the environment: the one place that maps the variables onto
 * it. A variable left unset is left out, so the worker's own default applies, as in code.
 */
export function workerConfigFromSettings(settings: Settings): WorkerConfig {
  const mapped: WorkerConfig = {
    enabled: settings.SALESFORCE_ENABLED,
    batchSize: settings.WORKER_BATCH_SIZE,
    localConcurrency: settings.WORKER_CONCURRENCY,
    pollingIntervalSeconds: settings.WORKER_POLLING_SECONDS,
    parentWaitMaxSeconds: settings.PARENT_WAIT_MAX_SECONDS,
    parentWakeSeconds: settings.PARENT_WAKE_SECONDS,
    summarySeconds: settings.WORKER_SUMMARY_SECONDS,
    reconcilerCron: settings.RECONCILER_CRON,
  };
  return Object.fromEntries(Object.entries(mapped).filter(([, value]) => value !== undefined));
}
