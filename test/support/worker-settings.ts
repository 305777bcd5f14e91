/**
 * Every worker setting given, as the environment spells it and as code passes it: the command
 * line maps the one onto the other, so a worker started either way is the same worker.
 */
import type { WorkerConfig } from '../../src/worker/worker-config.ts';

/** Each worker variable set to a value other than its default. */
export const workerSettingsEnv = {
  WORKER_BATCH_SIZE: '50',
  WORKER_CONCURRENCY: '2',
  WORKER_POLLING_SECONDS: '1',
  PARENT_WAIT_MAX_SECONDS: '60',
  PARENT_WAKE_SECONDS: '0',
  WORKER_SUMMARY_SECONDS: '0',
  RECONCILER_CRON: 'off',
};

/** The same settings as the worker config `workerStart()` takes. */
export const workerSettingsConfig = {
  batchSize: 50,
  localConcurrency: 2,
  pollingIntervalSeconds: 1,
  parentWaitMaxSeconds: 60,
  parentWakeSeconds: 0,
  summarySeconds: 0,
  reconcilerCron: 'off',
} satisfies Omit<WorkerConfig, 'enabled'>;
