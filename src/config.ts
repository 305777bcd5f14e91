/**
 * Settings, read from the environment once at start and validated by one schema.
 * A bad value stops the process with one line naming the variable and what it expects;
 * the value itself is never echoed, since it may hold a password.
 */
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';

const postgresUrl = z
  .string()
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '';
    } catch {
      return false;
    }
  }, 'a connection URL of the form postgres://user:password@host:5432/database');

// Parsed as pg-boss's scheduler parses it (same cron-parser, same options), so what passes here
// is what the reconciler's schedule accepts.
function cronValid(value: string): boolean {
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

const flag = z
  .string()
  .optional()
  .transform((value) => value === 'true');

const settingsSchema = z.object({
  /** Postgres holding the app's tables, the mirror and the queue. Unset: an embedded Postgres. */
  DATABASE_URL: postgresUrl.optional(),
  /**
   * TLS to Postgres: `auto` uses TLS without verifying the certificate for any host but
   * localhost (Heroku Postgres presents one no CA signs); `verify` checks it; `off` never uses TLS.
   */
  DATABASE_SSL: z.enum(['auto', 'verify', 'off'], { error: 'one of auto, verify, off' }).default('auto'),
  /** Where the embedded Postgres keeps its data when DATABASE_URL is unset. */
  EMBEDDED_POSTGRES_DIR: z.string().min(1, 'a folder path').default(embeddedPostgresDefaultDir),
  /** Exactly `true` turns syncing on; anything else enqueues nothing and discards jobs that run. */
  SALESFORCE_ENABLED: flag,
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
    .default('*/5 * * * *'),
  /** Seconds between the worker's one-line queue summaries; 0 turns them off. */
  WORKER_SUMMARY_SECONDS: z.coerce
    .number({ error: 'a whole number of seconds' })
    .int('a whole number of seconds')
    .min(0, 'zero or more seconds')
    .default(60),
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
});

export type Settings = z.output<typeof settingsSchema>;

/** The settings a bad environment broke, as one line fit for a terminal. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

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
