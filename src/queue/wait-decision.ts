/**
 * What becomes of a job whose record waits for a parent, decided from the wait's record alone:
 * give up once the record has waited the time bound (or another job of the same wait gave up),
 * otherwise run again after the polynomial backoff, never past the bound, so the run that gives up
 * comes when the bound is reached. (Waking early, when the parent arrives, is the waker's.)
 * Pure: no database, no clock, no log.
 */
import type { ParentWaitState } from './parent-wait.ts';
import { retryDelaySeconds } from './retry-schedule.ts';

export type WaitDecision =
  /** Dead-letter the job; `waitedSeconds` is real time (the time scale undone), for the log line. */
  | { kind: 'give-up'; waitedSeconds: number }
  /** Enqueue a successor due in `startAfterSeconds` (scaled, as pg-boss takes it). */
  | { kind: 'back-off'; startAfterSeconds: number };

/** The limits a decision is made against; `maxWaitSeconds` is already multiplied by `timeScale`. */
export interface WaitBound {
  maxWaitSeconds: number;
  timeScale: number;
  /** The backoff's jitter source (0 ≤ r < 1); Math.random unless a test fixes it. */
  random?: () => number;
}

/** The smallest delay pg-boss is handed: a successor is never due at once. */
const startAfterMinSeconds = 0.002;

export function waitDecide(state: ParentWaitState, bound: WaitBound): WaitDecision {
  if (state.gaveUp || state.waitedSeconds >= bound.maxWaitSeconds) {
    return { kind: 'give-up', waitedSeconds: Math.round(state.waitedSeconds / bound.timeScale) };
  }
  const backoff = retryDelaySeconds(state.waits, { timeScale: bound.timeScale, ...(bound.random ? { random: bound.random } : {}) });
  return { kind: 'back-off', startAfterSeconds: Math.max(startAfterMinSeconds, Math.min(backoff, bound.maxWaitSeconds - state.waitedSeconds)) };
}
