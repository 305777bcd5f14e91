/**
 * The sync's metrics, one source for every way out: Prometheus text (the dashboard's /metrics),
 * a prom-client registry a host reads when the worker runs in its process, and the worker's
 * l2met log lines. Read set-wise at collection time: queue depths by the summary's own query,
 * outcome counters from the running totals workers keep in the database (plus what this worker
 * counted since it last added to them), and the doctor's mirror counts from a cache refreshed at
 * most every few minutes, so a scrape never scans a mirror table.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Database } from '../db/database.ts';
import type { DatabaseReachability } from '../db/database-reachability.ts';
import type { Logger } from '../log.ts';
import { doctorReport, type DoctorReport } from '../ops/doctor-report.ts';
import type { SyncConfig } from '../sync-config.ts';
import { statementFailure } from '../sync/statement-errors.ts';
import { queueDepthsRead, type QueueDepths } from '../worker/queue-summary.ts';
import { l2metCounts, l2metLines, l2metSamples } from './l2met.ts';
import { countAdd, metricsFlush, outcomeTotalsRead, syncOutcomes, type OutcomeCounts, type SyncOutcomeName } from './metrics-store.ts';

export interface SyncMetricsOptions {
  /** The registry to register on: a host's own, or a new one. */
  registry?: Registry;
  /** Seconds the doctor's mirror counts are reused before a collection refreshes them (default 300). */
  doctorEverySeconds?: number;
  /** Register the histograms too: only a process that runs sync batches has them (the worker). */
  batches?: boolean;
  log?: Logger;
  /** The worker's: a doctor computation failed on a lost connection is said there, once per outage. */
  reachability?: DatabaseReachability;
}

/** One collection's numbers, shared by every metric it feeds. */
interface Snapshot {
  depths: QueueDepths;
  totals: OutcomeCounts;
}

export class SyncMetrics {
  /** Where the metrics are registered: serve `registry.metrics()`, or read it from a host. */
  readonly registry: Registry;
  private readonly database: Pick<Database, 'db' | 'pool'>;
  private readonly config: SyncConfig;
  private readonly doctorEveryMs: number;
  private readonly log: Logger | undefined;
  private readonly reachability: DatabaseReachability | undefined;
  /** Counted by this process and not yet added to the database's totals. */
  private pending: OutcomeCounts = new Map();
  /** Counted by this process since its last l2met lines (their `count#`: l2met sums them over workers). */
  private sinceLines: OutcomeCounts = new Map();
  /** The collection under way: every metric of one scrape shares it, so a scrape reads the database once. */
  private snapshot: Promise<Snapshot> | undefined;
  private lastSnapshot: Snapshot | undefined;
  private doctor: { at: number; report: DoctorReport } | undefined;
  private doctorRunning: Promise<void> | undefined;
  /** Collections and flushes take turns, so a counter never reads a total and its pending part twice. */
  private turn: Promise<unknown> = Promise.resolve();
  private readonly batchSeconds: Histogram<'queue'> | undefined;
  private readonly parentReadySeconds: Histogram<'queue'> | undefined;

  constructor(database: Pick<Database, 'db' | 'pool'>, config: SyncConfig, options: SyncMetricsOptions = {}) {
    this.database = database;
    this.config = config;
    this.registry = options.registry ?? new Registry();
    this.doctorEveryMs = (options.doctorEverySeconds ?? 300) * 1000;
    this.log = options.log;
    this.reachability = options.reachability;
    const registers = [this.registry];
    const metrics = this;
    const depthsGauge = (name: string, help: string, labelNames: string[], set: (gauge: Gauge<string>, depths: QueueDepths) => void) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        async collect() {
          const { depths } = await metrics.snapshotRead();
          this.reset();
          set(this, depths);
        },
      });
    depthsGauge('connect_sync_jobs', 'Unfinished jobs per sync queue: ready (due now), retrying (after an error), active (running), deferred (due later).', ['queue', 'state'], (gauge, depths) => {
      for (const [queue, depth] of this.queueDepths(depths)) {
        gauge.set({ queue, state: 'ready' }, depth.queued);
        gauge.set({ queue, state: 'retrying' }, depth.retrying);
        gauge.set({ queue, state: 'active' }, depth.active);
        gauge.set({ queue, state: 'deferred' }, depth.deferred);
      }
    });
    depthsGauge('connect_sync_records_waiting_on_parent', 'Records whose job waits for a parent to reach Salesforce.', ['queue'], (gauge, depths) => {
      for (const [queue, depth] of this.queueDepths(depths)) gauge.set({ queue }, depth.waitingOnParent);
    });
    depthsGauge('connect_sync_oldest_wait_seconds', 'How long the longest-waiting record has waited for its parent (0: none waits).', ['queue'], (gauge, depths) => {
      for (const [queue, depth] of this.queueDepths(depths)) gauge.set({ queue }, Math.round(depth.oldestWaitSeconds * 1000) / 1000);
    });
    depthsGauge('connect_sync_dead_letter_jobs', 'Jobs in the dead-letter queue (gave up or rejected), by the sync queue they came from.', ['queue'], (gauge, depths) => {
      for (const queue of this.queues()) gauge.set({ queue }, depths.deadLetteredByQueue[queue] ?? 0);
    });
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
    });
    const doctorGauge = (name: string, help: string, labelNames: string[], set: (gauge: Gauge<string>, report: DoctorReport) => void) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        collect() {
          metrics.doctorRefreshWhenStale();
          this.reset();
          if (metrics.doctor) set(this, metrics.doctor.report);
        },
      });
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
    if (options.batches) {
      this.batchSeconds = new Histogram({
        name: 'connect_sync_batch_duration_seconds',
        help: "One sync batch's run: reading its records and parents and writing its mirror rows.",
        labelNames: ['queue'],
        buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers,
      });
      this.parentReadySeconds = new Histogram({
        name: 'connect_sync_parent_ready_to_written_seconds',
        help: "A record that waited on a parent: from its job's being due again (at once when the waker sees the parent in Salesforce) to its row written.",
        labelNames: ['queue'],
        buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800],
        registers,
      });
    }
  }

  /** Counts one settled batch of `queue` (short name): its outcomes, its run, and its waiters' latencies. */
  batchRecord(queue: string, outcomes: Partial<Record<SyncOutcomeName, number>>, seconds: number, parentReadySeconds: readonly number[]): void {
    for (const [outcome, n] of Object.entries(outcomes) as [SyncOutcomeName, number][]) {
      if (n > 0) countAdd(this.pending, queue, outcome, n);
      if (n > 0) countAdd(this.sinceLines, queue, outcome, n);
    }
    this.batchSeconds?.observe({ queue }, seconds);
    for (const latency of parentReadySeconds) this.parentReadySeconds?.observe({ queue }, latency);
  }

  /**
   * Adds what this process counted to the database's totals and writes this minute's sample
   * (the worker calls it once a minute, and when it stops).
   */
  async flush(): Promise<void> {
    await this.inTurn(async () => {
      const depths = await queueDepthsRead(this.database.db);
      const gauges = new Map(
        this.queues().map((queue) => [queue, { waiting: depths.queues[queue]?.waitingOnParent ?? 0, deadLettered: depths.deadLetteredByQueue[queue] ?? 0 }]),
      );
      await metricsFlush(this.database.db, this.pending, gauges);
      this.pending = new Map();
    });
  }

  /**
   * One collection, for the worker's summary: its queue depths (the summary line) and the same
   * numbers as l2met lines, with this process's counts since its last lines.
   */
  async summary(source: string): Promise<{ depths: QueueDepths; l2met: string[] }> {
    const collected = await this.registry.getMetricsAsJSON();
    const depths = this.lastSnapshot?.depths ?? (await this.snapshotRead()).depths;
    const counts = this.sinceLines;
    this.sinceLines = new Map();
    return { depths, l2met: l2metLines([...l2metSamples(collected), ...l2metCounts('connect_sync_jobs_settled_total', counts)], source) };
  }

  /** Recomputes the doctor's counts now, after any computation under way (a collection otherwise does, every few minutes). */
  async doctorRefresh(): Promise<void> {
    await this.doctorRunning?.catch(() => undefined);
    return this.doctorRun();
  }

  private doctorRun(): Promise<void> {
    this.doctorRunning ??= doctorReport(this.database, this.config, { examples: 0 })
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
    this.doctorRun().catch((error: unknown) => {
      if (this.reachability?.failed(error, 'metrics')) return;
      const { errorClass, sqlState, message } = statementFailure(error);
      this.log?.warn({ errorClass, sqlState }, `metrics: the doctor's counts could not be computed: ${message}`);
    });
  }

  private snapshotRead(): Promise<Snapshot> {
    if (this.snapshot) return this.snapshot;
    const value = this.inTurn(async () => {
      const [depths, totals] = await Promise.all([queueDepthsRead(this.database.db), outcomeTotalsRead(this.database.db)]);
      for (const [queue, byOutcome] of this.pending) for (const [outcome, n] of byOutcome) countAdd(totals, queue, outcome, n);
      return { depths, totals };
    });
    this.snapshot = value;
    value.then((snapshot) => (this.lastSnapshot = snapshot)).catch(() => undefined).finally(() => (this.snapshot = undefined));
    return value;
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

  private queueDepths(depths: QueueDepths): [string, QueueDepths['queues'][string]][] {
    const idle = { queued: 0, waitingOnParent: 0, retrying: 0, active: 0, deferred: 0, oldestWaitSeconds: 0 };
    return this.queues().map((queue) => [queue, depths.queues[queue] ?? idle]);
  }
}
