/**
 * The doctor's mirror counts as the metrics serve them: a report cached for a few minutes and
 * recomputed in the background once stale, so a scrape never scans a mirror table. Only the
 * per-object findings are read (`checks: false`), and no example rows.
 */
import type { Database } from '../db/database.ts';
import { doctorReport, type DoctorReport } from '../ops/doctor-report.ts';
import type { SyncConfig } from '../sync-config.ts';

export class DoctorCounts {
  private readonly database: Pick<Database, 'db' | 'pool'>;
  private readonly config: SyncConfig;
  private readonly everyMs: number;
  private readonly backgroundFailed: (error: unknown, what: string) => void;
  private last: { at: number; report: DoctorReport } | undefined;
  private running: Promise<void> | undefined;

  /** `backgroundFailed` hears a background computation's failure; a caller's own refresh throws it instead. */
  constructor(database: Pick<Database, 'db' | 'pool'>, config: SyncConfig, everyMs: number, backgroundFailed: (error: unknown, what: string) => void) {
    this.database = database;
    this.config = config;
    this.everyMs = everyMs;
    this.backgroundFailed = backgroundFailed;
  }

  /** The last report, if any has been computed. */
  get report(): DoctorReport | undefined {
    return this.last?.report;
  }

  /** When the last report was computed (Date.now()), if any was. */
  get at(): number | undefined {
    return this.last?.at;
  }

  /** Recomputes the counts now, after any computation under way. */
  async refresh(): Promise<void> {
    await this.running?.catch(() => undefined);
    return this.run();
  }

  /** Starts a computation in the background when the counts are stale and none is under way. */
  refreshWhenStale(): void {
    if (this.last && Date.now() - this.last.at < this.everyMs) return;
    if (this.running) return;
    // In the background: a scrape answers with the last counts, never waiting on a mirror scan.
    this.run().catch((error: unknown) => this.backgroundFailed(error, "metrics: the doctor's counts could not be computed"));
  }

  private run(): Promise<void> {
    this.running ??= doctorReport(this.database, this.config, { examples: 0, checks: false })
      .then((report) => {
        this.last = { at: Date.now(), report };
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }
}
