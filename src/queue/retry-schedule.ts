/**
 * Two budgets, kept apart. Real errors (a failing write, a lost connection) spend executions:
 * ten in all, on pg-boss's own retry. Waiting for a parent spends none: it is bounded by time
 * (PARENT_WAIT_MAX_SECONDS, 4.5 h by default). While it waits, a job is re-run on Rails'
 * polynomially_longer schedule, which the original jobs used: after wait n the next run is
 * n⁴ + 2 seconds later, plus up to 15 % jitter (3 s, 18 s, 83 s …). That schedule is only the
 * safety net: the waker runs a waiting job as soon as its parent is in Salesforce.
 */

/** Executions in all for a job that fails for a real error: the first plus nine retries. */
export const executionLimit = 10;
/** pg-boss counts retries, not executions. */
export const retryLimit = executionLimit - 1;

/** How long a record may wait for its parents by default: a little more than the old ten-execution span (4.3 h). */
export const parentWaitMaxSecondsDefault = 4.5 * 60 * 60;

const jitter = 0.15;

/** Seconds to wait after wait (or failing execution) `n` (1-based), before any jitter. */
export function retryDelayBase(n: number): number {
  return n ** 4 + 2;
}

/**
 * Seconds until the next run after wait `n`, with jitter from `random` (0 ≤ r < 1), and
 * `timeScale` to shrink the schedule for demos and tests (1 in production).
 */
export function retryDelaySeconds(n: number, options: { timeScale?: number; random?: () => number } = {}): number {
  const { timeScale = 1, random = Math.random } = options;
  const base = n ** 4;
  return (base + random() * base * jitter + 2) * timeScale;
}

/** The safety-net schedule as a table, up to the time bound: delay after each wait and time elapsed by then. */
export function retrySchedule(maxWaitSeconds = parentWaitMaxSecondsDefault): { execution: number; waitSeconds: number; elapsedSeconds: number }[] {
  const rows: { execution: number; waitSeconds: number; elapsedSeconds: number }[] = [];
  let elapsedSeconds = 0;
  for (let execution = 1; elapsedSeconds < maxWaitSeconds; execution += 1) {
    const waitSeconds = Math.min(retryDelayBase(execution), maxWaitSeconds - elapsedSeconds);
    elapsedSeconds += waitSeconds;
    rows.push({ execution, waitSeconds, elapsedSeconds });
  }
  return rows;
}

/** The schedule as lines for a terminal. */
export function retryScheduleLines(maxWaitSeconds = parentWaitMaxSecondsDefault): string[] {
  const clock = (seconds: number) =>
    seconds < 60 ? `${seconds} s` : seconds < 3600 ? `${(seconds / 60).toFixed(1)} min` : `${(seconds / 3600).toFixed(2)} h`;
  return [
    `A job waiting on a parent runs as soon as the parent is in Salesforce (the waker checks every 0.5 s).`,
    `As a safety net it also re-runs after wait n at n⁴ + 2 s (+ up to ${jitter * 100} % jitter); waits spend no retries.`,
    'wait  next run in   elapsed by then',
    ...retrySchedule(maxWaitSeconds).map(({ execution, waitSeconds, elapsedSeconds }) =>
      `${String(execution).padStart(4)}  ${clock(waitSeconds).padStart(10)}   ${clock(elapsedSeconds)}`,
    ),
    `After ${clock(maxWaitSeconds)} (PARENT_WAIT_MAX_SECONDS) it gives up: failed, copied to the dead-letter queue, one error line.`,
    `A real error (a failing write, a lost connection) is retried by pg-boss: ${executionLimit} executions in all.`,
  ];
}
