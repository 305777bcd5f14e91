/**
 * The sync's metrics, one source for every way out: Prometheus text (the dashboard's /metrics),
 * a prom-client registry a host reads when the worker runs in its process, and the worker's
 * l2met log lines. A scrape never counts anything: it answers from the last collection
 * (metrics-collections.ts), and the doctor's mirror counts come from a cache refreshed at most
 * every few minutes (doctor-counts.ts), so a scrape never scans a mirror table or the job table.
 * The metrics themselves are defined in sync-metric-definitions.ts.
 */
import { Registry } from 'prom-client';
import type { Database } from '../db/database.ts';
import type { DatabaseReachability } from '../db/database-reachability.ts';
import type { Logger } from '../log.ts';
import type { SyncConfig } from '../sync-config.ts';
import { statementFailure } from '../sync/statement-errors.ts';
import { DoctorCounts } from './doctor-counts.ts';
import { l2metCounts, l2metLines, l2metSamples } from './l2met.ts';
import { MetricsCollections, type MetricsCollection } from './metrics-collections.ts';
import { countAdd, type OutcomeCounts, type SyncOutcomeName } from './metrics-store.ts';
import type { OtelMeter } from './otel-metrics.ts';
import type { QueueCounts } from './queue-counts.ts';
import { batchSecondsName, parentReadySecondsName, syncMetricsDefine, type SyncMetricSet } from './sync-metric-definitions.ts';

export type { MetricsCollection } from './metrics-collections.ts';

export interface SyncMetricsOptions {
  /** The registry to register on: a host's own, or a new one. */
  registry?: Registry;
  /** Seconds a collection is served before a scrape starts the next, in the background (default 15). */
  collectEverySeconds?: number;
  /** Seconds the doctor's mirror counts are reused before a collection refreshes them (default 300). */
  doctorEverySeconds?: number;
  /** Register the histograms too: only a process that runs sync batches has them (the worker). */
  batches?: boolean;
  /** Report the same metrics as OpenTelemetry instruments on this meter too (see otel-metrics.ts). */
  meter?: OtelMeter;
  log?: Logger;
  /** The worker's: a doctor computation failed on a lost connection is said there, once per outage. */
  reachability?: DatabaseReachability;
}

export class SyncMetrics {
  /** Where the metrics are registered: serve `registry.metrics()`, or read it from a host. */
  readonly registry: Registry;
  private readonly config: SyncConfig;
  private readonly log: Logger | undefined;
  private readonly reachability: DatabaseReachability | undefined;
  private readonly collections: MetricsCollections;
  private readonly doctor: DoctorCounts;
  private readonly metrics: SyncMetricSet;
  /** Counted by this process since its last l2met lines (their `count#`: l2met sums them over workers). */
  private sinceLines: OutcomeCounts = new Map();

  constructor(database: Pick<Database, 'db' | 'pool'>, config: SyncConfig, options: SyncMetricsOptions = {}) {
    this.config = config;
    this.registry = options.registry ?? new Registry();
    this.log = options.log;
    this.reachability = options.reachability;
    const backgroundFailed = (error: unknown, what: string) => this.backgroundFailed(error, what);
    const queues = () => this.queues();
    this.collections = new MetricsCollections(database.db, (options.collectEverySeconds ?? 15) * 1000, queues, backgroundFailed);
    this.doctor = new DoctorCounts(database, config, (options.doctorEverySeconds ?? 300) * 1000, backgroundFailed);
    this.metrics = syncMetricsDefine(
      this.registry,
      { snapshotRead: () => this.collections.snapshotRead(), doctor: this.doctor, queues },
      { batches: options.batches, meter: options.meter },
    );
  }

  /** Counts one settled batch of `queue` (short name): its outcomes, its run, and its waiters' latencies. */
  batchRecord(queue: string, outcomes: Partial<Record<SyncOutcomeName, number>>, seconds: number, parentReadySeconds: readonly number[]): void {
    for (const [outcome, n] of Object.entries(outcomes) as [SyncOutcomeName, number][]) {
      if (n > 0) this.collections.pendingAdd(queue, outcome, n);
      if (n > 0) countAdd(this.sinceLines, queue, outcome, n);
    }
    this.metrics.batchSeconds?.observe({ queue }, seconds);
    this.metrics.otelHistograms?.get(batchSecondsName)?.record(seconds, { queue });
    for (const latency of parentReadySeconds) {
      this.metrics.parentReadySeconds?.observe({ queue }, latency);
      this.metrics.otelHistograms?.get(parentReadySecondsName)?.record(latency, { queue });
    }
  }

  /**
   * Adds what this process counted to the database's totals and writes this minute's sample
   * (the worker calls it once a minute, and when it stops).
   */
  flush(): Promise<void> {
    return this.collections.flush();
  }

  /**
   * A fresh collection, for the worker's summary: its queue numbers (the summary line) and the
   * same numbers as l2met lines, with this process's counts since its last lines.
   */
  async summary(source: string): Promise<{ counts: QueueCounts; l2met: string[] }> {
    const { counts } = await this.collect();
    const collected = await Promise.all(this.metrics.observed.map((metric) => metric.get()));
    const sinceLines = this.sinceLines;
    this.sinceLines = new Map();
    return { counts, l2met: l2metLines([...l2metSamples(collected), ...l2metCounts('connect_sync_jobs_settled_total', sinceLines)], source) };
  }

  /** Reads the numbers now, after any collection under way; scrapes answer with them from then on. */
  collect(): Promise<MetricsCollection> {
    return this.collections.collect();
  }

  /** Recomputes the doctor's counts now, after any computation under way (a collection otherwise does, every few minutes). */
  doctorRefresh(): Promise<void> {
    return this.doctor.refresh();
  }

  /** A background computation failed: a lost connection is said once per outage, anything else in one line. */
  private backgroundFailed(error: unknown, what: string): void {
    if (this.reachability?.failed(error, 'metrics')) return;
    const { errorClass, sqlState, message } = statementFailure(error);
    this.log?.warn({ errorClass, sqlState }, `${what}: ${message}`);
  }

  /** Every declared object's queue (short name), so an idle queue reads 0 rather than nothing. */
  private queues(): string[] {
    return this.config.objects.objects.map((object) => object.queue);
  }
}
