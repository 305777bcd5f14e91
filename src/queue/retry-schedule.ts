/**
 * How long a job waiting on a parent waits before its next execution: Rails' polynomially_longer,
 * which the original jobs used. After execution n the wait is n⁴ + 2 seconds, plus up to 15 %
 * jitter, so 10 executions span about 4.3 hours: long enough for a Contact lagging upstream,
 * quick (3 s, 18 s, 83 s …) for the common race with a parent pushed moments later.
 */

/** Executions in all: the first plus nine retries. */
export const executionLimit = 10;
/** pg-boss counts retries, not executions. */
export const retryLimit = executionLimit - 1;

const jitter = 0.15;

/** Seconds to wait after execution `execution` (1-based) fails, before any jitter. */
export function retryDelayBase(execution: number): number {
  return execution ** 4 + 2;
}

/**
 * Seconds to wait after execution `execution`, with jitter from `random` (0 ≤ r < 1), and
 * `timeScale` to shrink the schedule for demos and tests (1 in production).
 */
export function retryDelaySeconds(execution: number, options: { timeScale?: number; random?: () => number } = {}): number {
  const { timeScale = 1, random = Math.random } = options;
  const base = execution ** 4;
  return (base + random() * base * jitter + 2) * timeScale;
}

/** The schedule as a table: wait after each failing execution and the time elapsed by then. */
export function retrySchedule(): { execution: number; waitSeconds: number; elapsedSeconds: number }[] {
  let elapsedSeconds = 0;
  return Array.from({ length: retryLimit }, (_, index) => {
    const execution = index + 1;
    const waitSeconds = retryDelayBase(execution);
    elapsedSeconds += waitSeconds;
    return { execution, waitSeconds, elapsedSeconds };
  });
}

/** The schedule as lines for a terminal. */
export function retryScheduleLines(): string[] {
  const clock = (seconds: number) =>
    seconds < 60 ? `${seconds} s` : seconds < 3600 ? `${(seconds / 60).toFixed(1)} min` : `${(seconds / 3600).toFixed(2)} h`;
  return [
    `A job waiting on a parent runs ${executionLimit} times in all; after execution n it waits n⁴ + 2 s (+ up to ${jitter * 100} % jitter).`,
    'execution  then waits   elapsed by the next run',
    ...retrySchedule().map(({ execution, waitSeconds, elapsedSeconds }) =>
      `${String(execution).padStart(9)}  ${clock(waitSeconds).padStart(10)}   ${clock(elapsedSeconds)}`,
    ),
    `${String(executionLimit).padStart(9)}  gives up: failed, copied to the dead-letter queue, one error line`,
  ];
}
