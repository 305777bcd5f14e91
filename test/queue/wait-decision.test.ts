/** The wait decision alone: give up at the time bound, otherwise back off, never past the bound. No database. */
import { describe, expect, it } from 'vitest';
import { waitDecide } from '../../src/queue/wait-decision.ts';

const hour = 3600;
const bound = { maxWaitSeconds: 4.5 * hour, timeScale: 1, random: () => 0 };

describe('waitDecide', () => {
  it('backs off polynomially after each wait: 3 s after the first, 18 s after the second', () => {
    expect(waitDecide({ waits: 1, waitedSeconds: 0, gaveUp: false }, bound)).toEqual({ kind: 'back-off', startAfterSeconds: 3 });
    expect(waitDecide({ waits: 2, waitedSeconds: 3, gaveUp: false }, bound)).toEqual({ kind: 'back-off', startAfterSeconds: 18 });
  });

  it('never backs off past the time bound, so the run that gives up comes when it is reached', () => {
    const decision = waitDecide({ waits: 9, waitedSeconds: 4.5 * hour - 60, gaveUp: false }, bound);
    expect(decision).toEqual({ kind: 'back-off', startAfterSeconds: 60 });
  });

  it('gives up once the record has waited the bound, reporting real seconds', () => {
    expect(waitDecide({ waits: 10, waitedSeconds: 4.5 * hour, gaveUp: false }, bound)).toEqual({ kind: 'give-up', waitedSeconds: 4.5 * hour });
    // A demo's scaled clock: 16.2 scaled seconds at 1/1000 are 4.5 real hours.
    const scaled = { maxWaitSeconds: 16.2, timeScale: 0.001, random: () => 0 };
    expect(waitDecide({ waits: 10, waitedSeconds: 16.2, gaveUp: false }, scaled)).toEqual({ kind: 'give-up', waitedSeconds: 16_200 });
  });

  it('gives up at once when another job of the same wait already did', () => {
    expect(waitDecide({ waits: 2, waitedSeconds: 5, gaveUp: true }, bound)).toEqual({ kind: 'give-up', waitedSeconds: 5 });
  });

  it('hands pg-boss a delay of at least 2 ms on a tiny time scale', () => {
    const tiny = { maxWaitSeconds: 1, timeScale: 0.000_01, random: () => 0 };
    expect(waitDecide({ waits: 1, waitedSeconds: 0, gaveUp: false }, tiny)).toEqual({ kind: 'back-off', startAfterSeconds: 0.002 });
  });

  it('adds at most 15 % jitter to the backoff', () => {
    const high = waitDecide({ waits: 3, waitedSeconds: 0, gaveUp: false }, { ...bound, random: () => 0.999_999 });
    expect(high.kind === 'back-off' && high.startAfterSeconds).toBeCloseTo(81 * 1.15 + 2, 3);
  });
});
