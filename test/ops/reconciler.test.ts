/**
 * The reconciler heals the recoverable states with nobody calling repair: its scheduled job is
 * sent to its queue (as pg-boss's cron would) and the Connect stand-in pushes what it repaired.
 * Its schedule follows the worker's reconcilerCron and goes away with `off`.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ConnectSim } from '../../src/connect-sim/connect-sim.ts';
import { contactEditorAffiliation } from '../../src/editor/objects/contact-editor-affiliation.ts';
import { reconcileQueue, reconcilerStart } from '../../src/ops/reconciler.ts';
import { jobsRead } from '../support/queue.ts';
import { logCapture } from '../support/log.ts';
import { mirrorRowRead } from '../support/records.ts';
import { testSyncWorker } from '../support/sync-worker.ts';
import { waitFor } from '../support/wait.ts';
import { editorConfig } from '../support/editor.ts';
import { affiliationsInSalesforce, brokenStatesBuild, recoverableRoleIds } from './connect-scenario.ts';
import { editorObjectSet } from '../support/editor.ts';

const { database, boss } = await testSyncWorker({ timeScale: 0.01 });
const sim = new ConnectSim(database, editorObjectSet, { timers: false });
await sim.start();
afterAll(() => sim.stop());

describe('the reconciler', () => {
  it('registers its schedule with the configured cron, and removes it when off', async () => {
    const { log } = logCapture();
    const reconciler = await reconcilerStart(boss, database, editorConfig, log, { cron: '*/7 * * * *', enabled: true });
    await reconciler.stop();
    expect(await boss.getSchedules(reconcileQueue)).toMatchObject([{ name: reconcileQueue, cron: '*/7 * * * *', timezone: 'UTC' }]);
    await reconcilerStart(boss, database, editorConfig, log, { cron: 'off', enabled: true });
    expect(await boss.getSchedules(reconcileQueue)).toEqual([]);
  });

  it('heals the recoverable states when its scheduled job runs, and Connect pushes the rows', async () => {
    const states = await brokenStatesBuild(database, sim);
    const { log, lines } = logCapture();
    await reconcilerStart(boss, database, editorConfig, log, { cron: '*/5 * * * *', enabled: true });
    // What pg-boss's cron does at each tick.
    await boss.send(reconcileQueue, null);
    await waitFor('the reconciled affiliations to reach Salesforce', () => affiliationsInSalesforce(database, sim, recoverableRoleIds(states)));
    const summary = lines.find((line) => line.msg.startsWith('reconciler healed'));
    expect(summary).toMatchObject({ rowsDeleted: 1, jobsEnqueued: 5, upstream: 1 });
    expect(await mirrorRowRead(database, contactEditorAffiliation, states.failedOnContact.roleId)).toMatchObject({ _hc_lastop: 'FAILED' });

    // The next tick finds nothing left to do and enqueues nothing.
    const jobsBefore = (await jobsRead(database, contactEditorAffiliation.queueName)).length;
    await boss.send(reconcileQueue, null);
    await waitFor('the second reconcile to complete', async () => {
      const jobs = await jobsRead(database, reconcileQueue);
      return jobs.length === 2 && jobs.every((job) => job.state === 'completed');
    });
    expect((await jobsRead(database, contactEditorAffiliation.queueName)).length).toBe(jobsBefore);
  });
});
