/**
 * The soak, short (`npm run soak` runs it longer): 45 s of app operations with a fault every 12 s
 * (backends terminated twice, then a server restart), on a server of its own. Every record's
 * mirror row lands exactly once, nothing is stuck or failed, and neither process crashes.
 */
import { describe, expect, it } from 'vitest';
import { soakRun } from '../../bench/soak.ts';
import { figure } from './support.ts';

describe('the soak, 45 seconds', () => {
  it('loses nothing, writes nothing twice, crashes nothing', { timeout: 360_000 }, async () => {
    const report = await soakRun({ minutes: 0.75, faultEverySeconds: 12 });
    figure('soak', { ...report });
    expect(report).toMatchObject({ missingRows: 0, duplicateRows: 0, stuckJobs: 0, failedJobs: 0, workerCrashes: 0, standInCrashes: 0, ok: true });
    expect(report.serverRestarts).toBeGreaterThanOrEqual(1);
    expect(report.terminations).toBeGreaterThanOrEqual(2);
    expect(report.appOperations).toBeGreaterThan(100);
  });
});
