/**
 * `connect-sync doctor --check`: an alert for Heroku Scheduler or cron. Compares the doctor's
 * counts and the oldest wait on a parent with limits the operator sets, prints one line per limit
 * crossed (or one line saying all are within), and exits 1 when any is crossed, 0 otherwise.
 */
import type { CommandContext } from '../command-context.ts';
import { queueDepthsRead, type QueueDepths } from '../worker/queue-depths.ts';
import { doctorReport, objectUnreadText, type DoctorReport } from './doctor-report.ts';
import { operatorPrint } from './operator-text.ts';

/** The limits; a count above its limit is an alert. */
export interface DoctorThresholds {
  /** Mirror rows Connect left FAILED, over every object and class (default 0). */
  maxFailedRows: number;
  /** Jobs in the dead-letter queue (default 0). */
  maxDeadLetters: number;
  /** Seconds the longest-waiting record has waited on a parent (default 3600). */
  maxOldestWaitSeconds: number;
}

export const doctorThresholdDefaults: DoctorThresholds = { maxFailedRows: 0, maxDeadLetters: 0, maxOldestWaitSeconds: 3600 };

/** What was measured against each limit, and the limits crossed, one line each. */
export function doctorThresholdsCompare(report: DoctorReport, depths: QueueDepths, limits: DoctorThresholds): { measured: Record<keyof DoctorThresholds, number>; crossed: string[] } {
  const failedRows = report.objects.reduce(
    (sum, health) => sum + health.failedOther.count + health.failedOnLookup.reduce((n, lookup) => n + lookup.parentSynced.count + lookup.parentMissing.count, 0),
    0,
  );
  const oldest = Object.entries(depths.queues).reduce<[string, number]>((max, [queue, depth]) => (depth.oldestWaitSeconds > max[1] ? [queue, depth.oldestWaitSeconds] : max), ['', 0]);
  const measured = { maxFailedRows: failedRows, maxDeadLetters: report.deadLetters.count, maxOldestWaitSeconds: Math.floor(oldest[1]) };
  // A mirror table missing leaves FAILED rows uncounted: said, since the count below may read low.
  const crossed: string[] = report.objects.flatMap((health) => {
    const unread = objectUnreadText(health);
    return unread ? [`${health.object}: ${unread}`] : [];
  });
  if (measured.maxFailedRows > limits.maxFailedRows) {
    crossed.push(`${measured.maxFailedRows} mirror rows FAILED (limit ${limits.maxFailedRows}): see connect-sync doctor, then repair`);
  }
  if (measured.maxDeadLetters > limits.maxDeadLetters) {
    crossed.push(`${measured.maxDeadLetters} dead-lettered jobs (limit ${limits.maxDeadLetters}): see connect-sync doctor, then redrive`);
  }
  if (measured.maxOldestWaitSeconds > limits.maxOldestWaitSeconds) {
    crossed.push(`a ${oldest[0]} record has waited ${measured.maxOldestWaitSeconds} s on a parent (limit ${limits.maxOldestWaitSeconds} s)`);
  }
  return { measured, crossed };
}

/** The command: prints the result; exit code 1 when a limit is crossed. */
export async function doctorCheckCommand({ database, config }: CommandContext, limits: DoctorThresholds, options: { json?: boolean; whole?: boolean } = {}): Promise<void> {
  const [report, depths] = await Promise.all([doctorReport(database, config, { examples: 0, whole: options.whole === true }), queueDepthsRead(database.db)]);
  const { measured, crossed } = doctorThresholdsCompare(report, depths, limits);
  if (options.json) operatorPrint(JSON.stringify({ ok: crossed.length === 0, measured, limits, crossed }));
  else operatorPrint(crossed.length === 0 ? `ok: ${measured.maxFailedRows} FAILED rows, ${measured.maxDeadLetters} dead letters, oldest wait ${measured.maxOldestWaitSeconds} s: all within limits` : crossed.join('\n'));
  if (crossed.length > 0) process.exitCode = 1;
}
