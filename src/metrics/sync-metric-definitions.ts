/**
 * The sync's metrics as prom-client defines them, on one registry: the gauges and counter every
 * scrape reads from the last collection or the doctor's cached counts, and the worker's
 * histograms. The same metrics are described for OpenTelemetry and l2met from here.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { DoctorReport } from '../ops/doctor-report.ts';
import type { DoctorCounts } from './doctor-counts.ts';
import type { MetricsCollection } from './metrics-collections.ts';
import { syncOutcomes } from './metrics-store.ts';
import { otelInstrumentsRegister, type ObservedMetric, type OtelHistograms, type OtelMeter } from './otel-metrics.ts';
import type { QueueCount, QueueCounts } from './queue-counts.ts';

/** What the metrics read their values from. */
export interface SyncMetricSources {
  /** The collection a scrape answers with (metrics-collections.ts). */
  snapshotRead(): Promise<MetricsCollection>;
  /** The doctor's cached mirror counts. */
  doctor: DoctorCounts;
  /** Every declared object's queue (short name), so an idle queue reads 0 rather than nothing. */
  queues(): string[];
}

/** The metrics defined on a registry, as the rest of SyncMetrics feeds and reads them. */
export interface SyncMetricSet {
  /** The gauges and counters of this process, as every way out reads them (not a host's other metrics). */
  observed: (Gauge<string> | Counter<string>)[];
  /** The same, described for OpenTelemetry. */
  observedDescribed: ObservedMetric[];
  otelHistograms: OtelHistograms | undefined;
  batchSeconds: Histogram<'queue'> | undefined;
  parentReadySeconds: Histogram<'queue'> | undefined;
}

export const batchSecondsName = 'connect_sync_batch_duration_seconds';
export const parentReadySecondsName = 'connect_sync_parent_ready_to_written_seconds';

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

/**
 * Defines the metrics on `registry`, reading `sources`; the histograms only with `batches` (only a
 * process that runs sync batches has them), and on `meter` too when given.
 */
export function syncMetricsDefine(registry: Registry, sources: SyncMetricSources, options: { batches?: boolean; meter?: OtelMeter }): SyncMetricSet {
  const registers = [registry];
  const observed: (Gauge<string> | Counter<string>)[] = [];
  const observedDescribed: ObservedMetric[] = [];
  const observedAdd = (kind: 'gauge' | 'counter', metric: Gauge<string> | Counter<string>): void => {
    observed.push(metric);
    const { name, help } = metric as unknown as { name: string; help: string };
    observedDescribed.push({ name, help, kind, read: () => metric.get() });
  };
  const queueCounts = (counts: QueueCounts): [string, QueueCount][] => {
    const idle = { ready: 0, deferred: 0, active: 0, countedAgeSeconds: null, waitingOnParent: 0, oldestWaitSeconds: 0, deadLettered: 0 };
    return sources.queues().map((queue) => [queue, counts.queues[queue] ?? idle]);
  };
  // A gauge read from `read()` at each collection; nothing is set when it has nothing yet.
  const gauge = <T>(name: string, help: string, labelNames: string[], read: () => T | undefined | Promise<T | undefined>, set: (gauge: Gauge<string>, value: T) => void) =>
    observedAdd(
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
    gauge(name, help, labelNames, () => sources.snapshotRead(), set);
  snapshotGauge(
    'connect_sync_jobs',
    "Unfinished jobs per sync queue: ready (due now, new or retrying), deferred (due later), active (running), as pg-boss's queue monitor last counted them (see connect_sync_jobs_counted_age_seconds).",
    ['queue', 'state'],
    (gauge, { counts }) => {
      for (const [queue, count] of queueCounts(counts)) {
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
      for (const [queue, count] of queueCounts(snapshot.counts)) {
        if (count.countedAgeSeconds !== null) gauge.set({ queue }, seconds(count.countedAgeSeconds * 1000 + Date.now() - snapshot.at));
      }
    },
  );
  snapshotGauge('connect_sync_records_waiting_on_parent', 'Records whose job waits for a parent to reach Salesforce.', ['queue'], (gauge, { counts }) => {
    for (const [queue, count] of queueCounts(counts)) gauge.set({ queue }, count.waitingOnParent);
  });
  snapshotGauge('connect_sync_oldest_wait_seconds', 'How long the longest-waiting record had waited for its parent when collected (0: none waits).', ['queue'], (gauge, { counts }) => {
    for (const [queue, count] of queueCounts(counts)) gauge.set({ queue }, seconds(count.oldestWaitSeconds * 1000));
  });
  snapshotGauge('connect_sync_dead_letter_jobs', 'Jobs in the dead-letter queue (gave up or rejected), by the sync queue they came from.', ['queue'], (gauge, { counts }) => {
    for (const [queue, count] of queueCounts(counts)) gauge.set({ queue }, count.deadLettered);
  });
  snapshotGauge('connect_sync_metrics_collected_age_seconds', 'Seconds since the numbers of this scrape (all but the mirror counts) were read from the database.', [], (gauge, snapshot) => {
    gauge.set(seconds(Date.now() - snapshot.at));
  });
  observedAdd(
    'counter',
    new Counter({
      name: 'connect_sync_jobs_settled_total',
      help: 'Sync jobs settled, by outcome: written, skipped, discarded, rejected (dead-lettered at once), waited (on a parent), gave_up (waited too long; dead-lettered).',
      labelNames: ['queue', 'outcome'],
      registers,
      async collect() {
        const { totals } = await sources.snapshotRead();
        this.reset();
        for (const queue of sources.queues()) {
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
        sources.doctor.refreshWhenStale();
        return sources.doctor.report;
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
    gauge.set(Math.round((Date.now() - (sources.doctor.at ?? Date.now())) / 1000));
  });
  const histograms = options.batches ? syncHistograms : [];
  const [batchSeconds, parentReadySeconds] = histograms.map(
    (histogram) => new Histogram({ name: histogram.name, help: histogram.help, labelNames: ['queue'], buckets: histogram.buckets, registers }),
  );
  const otelHistograms = options.meter ? otelInstrumentsRegister(options.meter, observedDescribed, histograms) : undefined;
  return { observed, observedDescribed, otelHistograms, batchSeconds, parentReadySeconds };
}

/** Milliseconds as seconds to the millisecond. */
function seconds(ms: number): number {
  return Math.round(ms) / 1000;
}
