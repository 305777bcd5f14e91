/**
 * The demo's outcome, on a small workload: without the guard, affiliations FAILED for good in
 * the Connect stand-in; with it, none, every affiliation whose parents arrived landed, and the
 * Contacts that never arrived ended as exhausted jobs with a clear message.
 */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { databaseDrop } from '../../src/db/database-admin.ts';
import { demoExecute } from '../../src/demo/demo-command.ts';
import { demoWorkloadPlan } from '../../src/demo/demo-workload.ts';

const adminUrl = inject('adminUrl');
const databasePrefix = `connect_sync_demo_test_${randomBytes(4).toString('hex')}`;
afterAll(async () => {
  await databaseDrop(adminUrl, `${databasePrefix}_guard_off`);
  await databaseDrop(adminUrl, `${databasePrefix}_guard_on`);
});

describe('the demo', () => {
  it('shows the race losing affiliations without the guard and none with it', async () => {
    const options = { schools: 12, seed: 6, timeScale: 1 / 3000, logFile: join(tmpdir(), `${databasePrefix}.log`), databasePrefix };
    const workload = demoWorkloadPlan(options.schools, options.seed);
    const never = [...workload.contacts.values()].filter((fate) => fate.kind === 'never').length;
    expect(never).toBeGreaterThan(0); // the seed was picked so every behaviour shows

    const { result, checks } = await demoExecute({ url: adminUrl, ssl: false }, options);
    // Speed goals are shown by the demo and measured by `npm run bench`, not asserted here.
    expect(checks.filter((check) => !check.ok && !check.timed)).toEqual([]);
    const { guardOff, guardOn } = result;
    expect(guardOff.fkFailed.editor + guardOff.fkFailed.contact).toBeGreaterThan(0);
    expect(guardOff.affiliationsLanded).toBeLessThan(guardOff.affiliationsExpected);
    expect(guardOn.fkFailed).toEqual({ editor: 0, contact: 0 });
    expect(guardOn.affiliationsLanded).toBe(guardOn.affiliationsExpected);
    expect(guardOn.exhausted).toBeGreaterThanOrEqual(never);
    // Waiting for a parent spends no execution: the jobs wait, none retries.
    expect(guardOn.waits).toBeGreaterThan(0);
    expect(guardOn.retries).toBe(0);
    expect(guardOn.parentToChildSeconds.p50).toEqual(expect.any(Number));
    expect(guardOn.parentToChildWrittenSeconds?.p99).toEqual(expect.any(Number));
    for (const key of ['affiliationsExpected', 'affiliationsLanded', 'fkFailed', 'retries', 'waits', 'exhausted', 'parentToChildSeconds']) {
      expect(Object.keys(guardOn)).toContain(key);
    }
  }, 90_000);
});
