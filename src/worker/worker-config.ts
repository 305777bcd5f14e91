/**
 * The worker's one typed configuration, validated once. `connect-sync worker` maps the
 * environment onto it (`workerConfigFromSettings` in config.ts, the one place that knows the variables) and `sync.workerStart()` passes it
 * in code; both start through `workerConfigResolve`, so every default is the same both ways.
 */
import type { PgBoss } from 'pg-boss';
import type { Registry } from 'prom-client';
import type { OtelMeter } from '../metrics/otel-metrics.ts';
import { z } from 'zod';
import { cronValid, syncEnabledDefault } from '../config.ts';
import type { AnyMirrorObject } from '../mirror/object-set.ts';
import { parentWakeSecondsDefault } from '../queue/parent-waker.ts';
import { parentWaitMaxSecondsDefault } from '../queue/retry-schedule.ts';
import { syncWorkerDefaults } from '../queue/sync-worker.ts';
import { ConnectSyncError } from '../errors.ts';

/** The reconciler's schedule by default: every 5 minutes, in UTC. */
export const reconcilerCronDefault = '*/5 * * * *';

const workerConfigSchema = z.strictObject({
  /** Whether jobs are written, or completed as `{ discarded }` without writing (see syncEnabledDefault). */
  enabled: z.boolean({ error: 'true or false' }).default(syncEnabledDefault),
  /** Jobs fetched at once per queue; full batches are fetched back to back. */
  batchSize: z.number({ error: 'a whole number of jobs' }).int('a whole number of jobs').min(1, 'at least 1').default(syncWorkerDefaults.batchSize),
  /** Batches of one queue run at once (concurrent fetches on a singleton queue collide, so 1). */
  localConcurrency: z.number({ error: 'a whole number' }).int('a whole number').min(1, 'at least 1').default(syncWorkerDefaults.localConcurrency),
  /** Seconds between polls when idle; LISTEN/NOTIFY wakes the worker sooner. */
  pollingIntervalSeconds: z.number({ error: 'a number of seconds' }).min(0.5, 'at least 0.5 seconds').default(syncWorkerDefaults.pollingIntervalSeconds),
  /** How long a record may wait for its parents before its job gives up. */
  parentWaitMaxSeconds: z.number({ error: 'a number of seconds' }).positive('more than 0 seconds').default(parentWaitMaxSecondsDefault),
  /** Seconds between the waker's checks for parents that arrived; 0 leaves waiting jobs to the backoff. */
  parentWakeSeconds: z.number({ error: 'a number of seconds' }).min(0, 'zero or more seconds').default(parentWakeSecondsDefault),
  /** Seconds between the one-line queue summaries; 0 turns them off. */
  summarySeconds: z.number({ error: 'a whole number of seconds' }).int('a whole number of seconds').min(0, 'zero or more seconds').default(60),
  /** Seconds between adding this worker's counts to the database's totals and sampling the overview's chart. */
  metricsSampleSeconds: z.number({ error: 'a number of seconds' }).positive('more than 0 seconds').default(60),
  /** When the self-healing reconciler runs (cron, UTC), or `off`. */
  reconcilerCron: z.string({ error: 'a cron expression' }).refine(cronValid, 'a cron expression such as */5 * * * *, or off').default(reconcilerCronDefault),
  /**
   * At stop's deadline, cancel the statements still running on the database's pool. A host that
   * shares its own pool with the worker and must keep its own long statements running through
   * the worker's stop turns it off; the stop then waits for them.
   */
  cancelStatementsOnStop: z.boolean({ error: 'true or false' }).default(true),
  /** Multiplies the wait schedule and its time bound: 1 in production; demos and tests shrink it. */
  timeScale: z.number({ error: 'a number' }).positive('more than 0').default(1),
  /** Off only for the demo's run without the guard. */
  parentGuard: z.boolean({ error: 'true or false' }).default(true),
});

/** What the worker takes; every field has its default. */
export type WorkerConfig = z.input<typeof workerConfigSchema> & {
  /**
   * The host's own pg-boss, started by the host: the workers run on it (no pool of their own),
   * and `stop()` takes them off it and leaves it running. Without it the worker makes its own.
   */
  boss?: PgBoss;
  /** Only these objects' queues (every declared object by default). */
  only?: readonly AnyMirrorObject[];
  /** Ends a start-up still waiting for an unreachable database (SIGTERM); the start then throws. */
  signal?: AbortSignal;
  /** Register the sync's metrics on this prom-client registry (a host's own); else on a new one, at `metrics.registry`. */
  registry?: Registry;
  /**
   * Report the same metrics as OpenTelemetry instruments too: on this `Meter` (from
   * `@opentelemetry/api`), or `'global'` for the api's global meter (the MeterProvider the host
   * registered; needs the optional peer `@opentelemetry/api` installed).
   */
  meter?: OtelMeter | 'global';
};

/** The configuration with every default filled in. */
export type WorkerConfigResolved = z.output<typeof workerConfigSchema> & Pick<WorkerConfig, 'boss' | 'only' | 'signal' | 'registry' | 'meter'>;

/** A worker configuration that is not valid; the message names the field and what it expects. */
export class WorkerConfigError extends ConnectSyncError { readonly code = 'WORKER_CONFIG_INVALID'; }

/** Validates `config` and fills in the defaults; throws WorkerConfigError naming the first bad field. */
export function workerConfigResolve(config: WorkerConfig = {}): WorkerConfigResolved {
  const { boss, only, signal, registry, meter, ...plain } = config;
  // An option given as undefined means "the default", as when it is left out.
  const given = Object.fromEntries(Object.entries(plain).filter(([, value]) => value !== undefined));
  const result = workerConfigSchema.safeParse(given);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.code === 'unrecognized_keys' ? issue.keys.join(', ') : String(issue?.path[0] ?? 'config');
    const expected = issue?.code === 'unrecognized_keys' ? `not a worker setting (expected ${Object.keys(workerConfigSchema.shape).join(', ')})` : `must be ${issue?.message}`;
    throw new WorkerConfigError(`Invalid worker config: ${field} ${expected}`);
  }
  return { ...result.data, ...(boss ? { boss } : {}), ...(only ? { only } : {}), ...(signal ? { signal } : {}), ...(registry ? { registry } : {}), ...(meter ? { meter } : {}) };
}
