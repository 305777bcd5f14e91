/**
 * The sync's metrics, one source for every way out: Prometheus text (the dashboard's /metrics),
 * a prom-client registry a host reads when the worker runs in its process, and the worker's
 * l2met log lines. A scrape never counts anything: it answers from the last collection, and
 * starts the next in the background once that one is `collectEverySeconds` old. A collection
 * reads the queue numbers pg-boss's monitor keeps (queue-counts.ts) and the outcome totals
 * workers keep in the database (plus what this process counted since it last added to them);
 * the doctor's mirror counts come from a cache refreshed at most every few minutes, so a scrape
 * never scans a mirror table or the job table.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Database } from '../db/database.ts';
import type { DatabaseReachability } from '../db/database-reachability.ts';
import type { Logger } from '../log.ts';
import { doctorReport, type DoctorReport } from '../ops/doctor-report.ts';
import type { SyncConfig } from '../sync-config.ts';
import { statementFailure } from '../sync/statement-errors.ts';
import { l2metCounts, l2metLines, l2metSamples } from './l2met.ts';
import { otelInstrumentsRegister, type ObservedMetric, type OtelHistograms, type OtelMeter } from './otel-metrics.ts';
import { queueCountsRead, type QueueCount, type QueueCounts } from './queue-counts.ts';
import { countAdd, metricsFlush, outcomeTotalsRead, syncOutcomes, type OutcomeCounts, type SyncOutcomeName } from './metrics-store.ts';

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

/** One collection's numbers, shared by every metric it feeds. */
export interface MetricsCollection {
  counts: QueueCounts;
  totals: OutcomeCounts;
  /** When it was read (Date.now()). */
  at: number;
}

export class SyncMetrics {
  /** Where the metrics are registered: serve `registry.metrics()`, or read it from a host. */
  readonly registry: Registry;
  private readonly database: Pick<Database, 'db' | 'pool'>;
  private readonly config: SyncConfig;
  private readonly collectEveryMs: number;
  private readonly doctorEveryMs: number;
  private readonly log: Logger | undefined;
  private readonly reachability: DatabaseReachability | undefined;
  /** Counted by this process and not yet added to the database's totals. */
  private pending: OutcomeCounts = new Map();
  /** Counted by this process since its last l2met lines (their `count#`: l2met sums them over workers). */
  private sinceLines: OutcomeCounts = new Map();
  /** The collection under way, if any: a scrape never waits for it once there is a last one. */
  private collecting: Promise<MetricsCollection> | undefined;
  private lastCollection: MetricsCollection | undefined;
  private doctor: { at: number; report: DoctorReport } | undefined;
  private doctorRunning: Promise<void> | undefined;
  /** Collections and flushes take turns, so a counter never reads a total and its pending part twice. */
  private turn: Promise<unknown> = Promise.resolve();
  /** The gauges and counters of this process, as every way out reads them (not a host's other metrics). */
  private readonly observed: (Gauge<string> | Counter<string>)[] = [];
  /** The same, described for OpenTelemetry. */
  private readonly observedDescribed: ObservedMetric[] = [];
  private readonly otelHistograms: OtelHistograms | undefined;
  private readonly batchSeconds: Histogram<'queue'> | undefined;
  private readonly parentReadySeconds: Histogram<'queue'> | undefined;

  constructor(database: Pick<Database, 'db' | 'pool'>, config: SyncConfig, options: SyncMetricsOptions = {}) {
    this.database = database;
    this.config = config;
    this.registry = options.registry ?? new Registry();
    this.collectEveryMs = (options.collectEverySeconds ?? 15) * 1000;
    this.doctorEveryMs = (options.doctorEverySeconds ?? 300) * 1000;
    this.log = options.log;
    this.reachability = options.reachability;
    const registers = [this.registry];
    const metrics = this;
    // A gauge read from `read()` at each collection; nothing is set when it has nothing yet.
    const gauge = <T>(name: string, help: string, labelNames: string[], read: () => T | undefined | Promise<T | undefined>, set: (gauge: Gauge<string>, value: T) => void) =>
      this.observedAdd(
        'gauge',
        new Gauge({
          name,
          help,
          labelNames,
          registers,
          async collect() {
            const value = await read();
            this.reset();
            if (value !== undefined) set(this, value);
          },
        }),
      );
    const snapshotGauge = (name: string, help: string, labelNames: string[], set: (gauge: Gauge<string>, snapshot: MetricsCollection) => void) =>
      gauge(name, help, labelNames, () => metrics.snapshotRead(), set);
    snapshotGauge(
      'connect_sync_jobs',
      "Unfinished jobs per sync queue: ready (due now, new or retrying), deferred (due later), active (running), as pg-boss's queue monitor last counted them (see connect_sync_jobs_counted_age_seconds).",
      ['queue', 'state'],
      (gauge, { counts }) => {
        for (const [queue, count] of this.queueCounts(counts)) {
          // Never counted: unknown, not 0.
          if (count.countedAgeSeconds === null) continue;
          gauge.set({ queue, state: 'ready' }, count.ready);
          gauge.set({ queue, state: 'deferred' }, count.deferred);
          gauge.set({ queue, state: 'active' }, count.active);
        }
      },
    );
    snapshotGauge(
      'connect_sync_jobs_counted_age_seconds',
      "Seconds since pg-boss's queue monitor counted connect_sync_jobs (every 5 s under a running worker); absent: never counted.",
      ['queue'],
      (gauge, snapshot) => {
        for (const [queue, count] of this.queueCounts(snapshot.counts)) {
          if (count.countedAgeSeconds !== null) gauge.set({ queue }, seconds(count.countedAgeSeconds * 1000 + Date.now() - snapshot.at));
        }
      },
    );
    snapshotGauge('connect_sync_records_waiting_on_parent', 'Records whose job waits for a parent to reach Salesforce.', ['queue'], (gauge, { counts }) => {
      for (const [queue, count] of this.queueCounts(counts)) gauge.set({ queue }, count.waitingOnParent);
    });
    snapshotGauge('connect_sync_oldest_wait_seconds', 'How long the longest-waiting record had waited for its parent when collected (0: none waits).', ['queue'], (gauge, { counts }) => {
      for (const [queue, count] of this.queueCounts(counts)) gauge.set({ queue }, seconds(count.oldestWaitSeconds * 1000));
    });
    snapshotGauge('connect_sync_dead_letter_jobs', 'Jobs in the dead-letter queue (gave up or rejected), by the sync queue they came from.', ['queue'], (gauge, { counts }) => {
      for (const [queue, count] of this.queueCounts(counts)) gauge.set({ queue }, count.deadLettered);
    });
    snapshotGauge('connect_sync_metrics_collected_age_seconds', 'Seconds since the numbers of this scrape (all but the mirror counts) were read from the database.', [], (gauge, snapshot) => {
      gauge.set(seconds(Date.now() - snapshot.at));
    });
    this.observedAdd(
      'counter',
      new Counter({
        name: 'connect_sync_jobs_settled_total',
        help: 'Sync jobs settled, by outcome: written, skipped, discarded, rejected (dead-lettered at once), waited (on a parent), gave_up (waited too long; dead-lettered).',
        labelNames: ['queue', 'outcome'],
        registers,
        async collect() {
          const { totals } = await metrics.snapshotRead();
          this.reset();
          for (const queue of metrics.queues()) {
            for (const outcome of syncOutcomes) this.inc({ queue, outcome }, totals.get(queue)?.get(outcome) ?? 0);
          }
        },
      }),
    );
    const doctorGauge = (name: string, help: string, labelNames: string[], set: (gauge: Gauge<string>, report: DoctorReport) => void) =>
      gauge(
        name,
        help,
        labelNames,
        () => {
          metrics.doctorRefreshWhenStale();
          return metrics.doctor?.report;
        },
        set,
      );
    doctorGauge(
      'connect_sync_mirror_failed_rows',
      'Mirror rows Connect left FAILED, by class: parent_synced (failed on a lookup whose parent is now in Salesforce; repair heals), parent_missing (still missing upstream), other (a person must look). From the doctor, refreshed every few minutes.',
      ['object', 'class', 'parent'],
      (gauge, report) => {
        // An object whose mirror table (or a parent's) is missing has no count now, rather than 0.
        for (const health of report.objects.filter((health) => !health.mirrorTablesMissing)) {
          for (const failure of health.failedOnLookup) {
            gauge.set({ object: health.object, class: 'parent_synced', parent: failure.parent }, failure.parentSynced.count);
            gauge.set({ object: health.object, class: 'parent_missing', parent: failure.parent }, failure.parentMissing.count);
          }
          gauge.set({ object: health.object, class: 'other', parent: '' }, health.failedOther.count);
        }
      },
    );
    doctorGauge('connect_sync_mirror_rows_missing', 'Records expected in Salesforce with no mirror row. From the doctor, refreshed every few minutes.', ['object'], (gauge, report) => {
      for (const health of report.objects) if (!health.mirrorTablesMissing?.ownTable) gauge.set({ object: health.object }, health.missingRows.count);
    });
    doctorGauge('connect_sync_doctor_age_seconds', "Seconds since the doctor's mirror counts were computed.", [], (gauge) => {
      gauge.set(Math.round((Date.now() - (metrics.doctor?.at ?? Date.now())) / 1000));
    });
    const histograms = options.batches ? syncHistograms : [];
    [this.batchSeconds, this.parentReadySeconds] = histograms.map(
      (histogram) => new Histogram({ name: histogram.name, help: histogram.help, labelNames: ['queue'], buckets: histogram.buckets, registers }),
    );
    if (options.meter) this.otelHistograms = otelInstrumentsRegister(options.meter, this.observedDescribed, histograms);
  }

  /** Counts one settled batch of `queue` (short name): its outcomes, its run, and its waiters' latencies. */
  batchRecord(queue: string, outcomes: Partial<Record<SyncOutcomeName, number>>, seconds: number, parentReadySeconds: readonly number[]): void {
    for (const [outcome, n] of Object.entries(outcomes) as [SyncOutcomeName, number][]) {
      if (n > 0) countAdd(this.pending, queue, outcome, n);
      if (n > 0) countAdd(this.sinceLines, queue, outcome, n);
    }
    this.batchSeconds?.observe({ queue }, seconds);
    this.otelHistograms?.get(batchSecondsName)?.record(seconds, { queue });
    for (const latency of parentReadySeconds) {
      this.parentReadySeconds?.observe({ queue }, latency);
      this.otelHistograms?.get(parentReadySecondsName)?.record(latency, { queue });
    }
  }

  /**
   * Adds what this process counted to the database's totals and writes this minute's sample
   * (the worker calls it once a minute, and when it stops).
   */
  async flush(): Promise<void> {
    await this.inTurn(async () => {
      // Taken before the first wait: batches settled while the flush runs count towards the next one.
      const counted = this.pending;
      this.pending = new Map();
      try {
        const { queues } = await queueCountsRead(this.database.db);
        const gauges = new Map(this.queues().map((queue) => [queue, { waiting: queues[queue]?.waitingOnParent ?? 0, deadLettered: queues[queue]?.deadLettered ?? 0 }]));
        await metricsFlush(this.database.db, counted, gauges);
      } catch (error) {
        for (const [queue, byOutcome] of counted) for (const [outcome, n] of byOutcome) countAdd(this.pending, queue, outcome, n);
        throw error;
      }
    });
  }

  /**
   * A fresh collection, for the worker's summary: its queue numbers (the summary line) and the
   * same numbers as l2met lines, with this process's counts since its last lines.
   */
  async summary(source: string): Promise<{ counts: QueueCounts; l2met: string[] }> {
    const { counts } = await this.collect();
    const collected = await Promise.all(this.observed.map((metric) => metric.get()));
    const sinceLines = this.sinceLines;
    this.sinceLines = new Map();
    return { counts, l2met: l2metLines([...l2metSamples(collected), ...l2metCounts('connect_sync_jobs_settled_total', sinceLines)], source) };
  }

  /** Reads the numbers now, after any collection under way; scrapes answer with them from then on. */
  async collect(): Promise<MetricsCollection> {
    await this.collecting?.catch(() => undefined);
    return this.collectionStart();
  }

  /** Recomputes the doctor's counts now, after any computation under way (a collection otherwise does, every few minutes). */
  async doctorRefresh(): Promise<void> {
    await this.doctorRunning?.catch(() => undefined);
    return this.doctorRun();
  }

  private doctorRun(): Promise<void> {
    this.doctorRunning ??= doctorReport(this.database, this.config, { examples: 0, checks: false })
      .then((report) => {
        this.doctor = { at: Date.now(), report };
      })
      .finally(() => {
        this.doctorRunning = undefined;
      });
    return this.doctorRunning;
  }

  private doctorRefreshWhenStale(): void {
    if (this.doctor && Date.now() - this.doctor.at < this.doctorEveryMs) return;
    if (this.doctorRunning) return;
    // In the background: a scrape answers with the last counts, never waiting on a mirror scan.
    this.doctorRun().catch((error: unknown) => this.backgroundFailed(error, "metrics: the doctor's counts could not be computed"));
  }

  /** A background computation failed: a lost connection is said once per outage, anything else in one line. */
  private backgroundFailed(error: unknown, what: string): void {
    if (this.reachability?.failed(error, 'metrics')) return;
    const { errorClass, sqlState, message } = statementFailure(error);
    this.log?.warn({ errorClass, sqlState }, `${what}: ${message}`);
  }

  /** The last collection, starting the next in the background when it is stale; only the first scrape waits. */
  private snapshotRead(): Promise<MetricsCollection> {
    const last = this.lastCollection;
    if (!last) return this.collecting ?? this.collectionStart();
    if (!this.collecting && Date.now() - last.at >= this.collectEveryMs) {
      this.collectionStart().catch((error: unknown) => this.backgroundFailed(error, 'metrics could not be collected'));
    }
    return Promise.resolve(last);
  }

  private collectionStart(): Promise<MetricsCollection> {
    const value = this.inTurn(async () => {
      const [counts, totals] = await Promise.all([queueCountsRead(this.database.db), outcomeTotalsRead(this.database.db)]);
      for (const [queue, byOutcome] of this.pending) for (const [outcome, n] of byOutcome) countAdd(totals, queue, outcome, n);
      return { counts, totals, at: Date.now() };
    });
    this.collecting = value;
    value
      .then((snapshot) => (this.lastCollection = snapshot))
      .catch(() => undefined)
      .finally(() => {
        if (this.collecting === value) this.collecting = undefined;
      });
    return value;
  }

  private observedAdd(kind: 'gauge' | 'counter', metric: Gauge<string> | Counter<string>): void {
    this.observed.push(metric);
    const { name, help } = metric as unknown as { name: string; help: string };
    this.observedDescribed.push({ name, help, kind, read: () => metric.get() });
  }

  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const result = this.turn.then(work);
    this.turn = result.catch(() => undefined);
    return result;
  }

  /** Every declared object's queue (short name), so an idle queue reads 0 rather than nothing. */
  private queues(): string[] {
    return this.config.objects.objects.map((object) => object.queue);
  }

  private queueCounts(counts: QueueCounts): [string, QueueCount][] {
    const idle = { ready: 0, deferred: 0, active: 0, countedAgeSeconds: null, waitingOnParent: 0, oldestWaitSeconds: 0, deadLettered: 0 };
    return this.queues().map((queue) => [queue, counts.queues[queue] ?? idle]);
  }
}

const batchSecondsName = 'connect_sync_batch_duration_seconds';
const parentReadySecondsName = 'connect_sync_parent_ready_to_written_seconds';

/** The worker's histograms, in seconds. */
const syncHistograms = [
  {
    name: batchSecondsName,
    help: "One sync batch's run: reading its records and parents and writing its mirror rows.",
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  },
  {
    name: parentReadySecondsName,
    help: "A record that waited on a parent: from its job's being due again (at once when the waker sees the parent in Salesforce) to its row written.",
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800],
  },
];

/** Milliseconds as seconds to the millisecond. */
function seconds(ms: number): number {
  return Math.round(ms) / 1000;
}
