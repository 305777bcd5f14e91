/**
 * When the metrics read the database. A scrape never counts anything: it answers from the last
 * collection and starts the next in the background once that one is stale (only the first scrape
 * waits). A collection reads the queue numbers pg-boss's monitor keeps (queue-counts.ts) and the
 * outcome totals workers keep in the database, plus what this process counted and has not yet
 * flushed to them; collections and flushes take turns, so a total and its pending part are never
 * read twice.
 */
import type { Database } from '../db/database.ts';
import { queueCountsRead, type QueueCounts } from './queue-counts.ts';
import { countAdd, metricsFlush, outcomeTotalsRead, type OutcomeCounts, type SyncOutcomeName } from './metrics-store.ts';

/** One collection's numbers, shared by every metric it feeds. */
export interface MetricsCollection {
  counts: QueueCounts;
  totals: OutcomeCounts;
  /** When it was read (Date.now()). */
  at: number;
}

export class MetricsCollections {
  private readonly db: Database['db'];
  private readonly everyMs: number;
  /** Every declared object's queue (short name), for the flush's per-queue sample. */
  private readonly queues: () => string[];
  private readonly backgroundFailed: (error: unknown, what: string) => void;
  /** Counted by this process and not yet added to the database's totals. */
  private pending: OutcomeCounts = new Map();
  /** The collection under way, if any: a scrape never waits for it once there is a last one. */
  private collecting: Promise<MetricsCollection> | undefined;
  private last: MetricsCollection | undefined;
  /** Collections and flushes take turns, so a counter never reads a total and its pending part twice. */
  private turn: Promise<unknown> = Promise.resolve();

  /** `backgroundFailed` hears a background collection's failure; `collect` and `flush` throw theirs. */
  constructor(db: Database['db'], everyMs: number, queues: () => string[], backgroundFailed: (error: unknown, what: string) => void) {
    this.db = db;
    this.everyMs = everyMs;
    this.queues = queues;
    this.backgroundFailed = backgroundFailed;
  }

  /** Counts `n` settled jobs of `queue` with `outcome`, until the next flush adds them to the totals. */
  pendingAdd(queue: string, outcome: SyncOutcomeName, n: number): void {
    countAdd(this.pending, queue, outcome, n);
  }

  /** Reads the numbers now, after any collection under way; scrapes answer with them from then on. */
  async collect(): Promise<MetricsCollection> {
    await this.collecting?.catch(() => undefined);
    return this.collectionStart();
  }

  /** The last collection, starting the next in the background when it is stale; only the first scrape waits. */
  snapshotRead(): Promise<MetricsCollection> {
    const last = this.last;
    if (!last) return this.collecting ?? this.collectionStart();
    if (!this.collecting && Date.now() - last.at >= this.everyMs) {
      this.collectionStart().catch((error: unknown) => this.backgroundFailed(error, 'metrics could not be collected'));
    }
    return Promise.resolve(last);
  }

  /** Adds the pending counts to the database's totals and writes this minute's sample; kept pending if that fails. */
  async flush(): Promise<void> {
    await this.inTurn(async () => {
      // Taken before the first wait: batches settled while the flush runs count towards the next one.
      const counted = this.pending;
      this.pending = new Map();
      try {
        const { queues } = await queueCountsRead(this.db);
        const gauges = new Map(this.queues().map((queue) => [queue, { waiting: queues[queue]?.waitingOnParent ?? 0, deadLettered: queues[queue]?.deadLettered ?? 0 }]));
        await metricsFlush(this.db, counted, gauges);
      } catch (error) {
        for (const [queue, byOutcome] of counted) for (const [outcome, n] of byOutcome) countAdd(this.pending, queue, outcome, n);
        throw error;
      }
    });
  }

  private collectionStart(): Promise<MetricsCollection> {
    const value = this.inTurn(async () => {
      const [counts, totals] = await Promise.all([queueCountsRead(this.db), outcomeTotalsRead(this.db)]);
      for (const [queue, byOutcome] of this.pending) for (const [outcome, n] of byOutcome) countAdd(totals, queue, outcome, n);
      return { counts, totals, at: Date.now() };
    });
    this.collecting = value;
    value
      .then((snapshot) => (this.last = snapshot))
      .catch(() => undefined)
      .finally(() => {
        if (this.collecting === value) this.collecting = undefined;
      });
    return value;
  }

  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const result = this.turn.then(work);
    this.turn = result.catch(() => undefined);
    return result;
  }
}
