/**
 * repair: the dry run changes nothing; --apply heals the recoverable classes, which the Connect
 * stand-in then pushes; the upstream class is left as it is; a second run finds nothing to do.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ConnectSim } from '../../src/connect-sim/connect-sim.ts';
import { silentLogger } from '../../src/log.ts';
import { contactEditorAffiliation } from '../../src/editor/objects/contact-editor-affiliation.ts';
import { editor } from '../../src/editor/objects/editor.ts';
import { doctorReport } from '../../src/ops/doctor-report.ts';
import { repairApply, repairPlan, repairPlanText } from '../../src/ops/repair.ts';
import { jobsRead } from '../support/queue.ts';
import { mirrorRowRead } from '../support/records.ts';
import { testSyncWorker } from '../support/sync-worker.ts';
import { waitFor } from '../support/wait.ts';
import { affiliationsInSalesforce, brokenStatesBuild, recoverableRoleIds, type BrokenStates } from './connect-scenario.ts';
import { evidenceSeed } from './evidence.ts';
import { editorConfig, editorObjectSet, doctorClasses } from '../support/editor.ts';

describe('repair over the seed evidence', async () => {
  const { database, boss } = await testSyncWorker({ only: [] });
  const seeded = await evidenceSeed(database);

  async function snapshot() {
    const { rows } = await database.pool.query(
      `SELECT (SELECT count(*) FROM pgboss.job) AS jobs,
              (SELECT string_agg(affiliation_id__c || ':' || coalesce(_hc_lastop, ''), ',' ORDER BY id) FROM salesforce.contact_editor_affiliation__c) AS affiliations,
              (SELECT count(*) FROM salesforce._trigger_log) AS logged`,
    );
    return rows[0];
  }

  it('plans the recoverable rows only, and its dry run changes nothing', async () => {
    const before = await snapshot();
    const plan = await repairPlan(database, editorConfig);
    expect(await snapshot()).toEqual(before);
    const failed = plan.items.filter((item) => item.action === 'failedRowReplace');
    expect(failed.map((item) => item.recordId)).toEqual(seeded.failedRecoverableRoles);
    const enqueues = plan.items.filter((item) => item.action === 'jobEnqueue');
    // Staff roles of the nine schools without rows; the rejected schools' owners are by design.
    expect(enqueues.map((item) => item.recordId).sort()).toEqual([...seeded.rolesWithoutRow].sort());
    expect(plan.upstream.count).toBe(3);
    expect(repairPlanText(plan)).toContain('dry run');
  });

  it('applies each item once; a second run finds nothing to do', async () => {
    const plan = await repairPlan(database, editorConfig);
    const result = await repairApply(database, editorObjectSet, plan, { enabled: true, log: silentLogger });
    expect(result).toEqual({ rowsDeleted: 1, jobsEnqueued: 19, itemsSkipped: 0 });
    const jobs = await jobsRead(database, contactEditorAffiliation.queueName);
    expect(jobs.map((job) => job.singleton_key).sort()).toEqual([...seeded.failedRecoverableRoles, ...seeded.rolesWithoutRow].sort());
    expect(jobs.every((job) => job.state === 'created')).toBe(true);
    expect((await repairPlan(database, editorConfig)).items).toEqual([]);
    // The same plan applied again (a second repair that read before the first applied) changes nothing.
    expect(await repairApply(database, editorObjectSet, plan, { enabled: true, log: silentLogger })).toEqual({ rowsDeleted: 0, jobsEnqueued: 0, itemsSkipped: 1 });
  });

  it('refuses to apply while syncing is off', async () => {
    await expect(repairApply(database, editorObjectSet, { items: [], upstream: { count: 0, examples: [] } }, { enabled: false, log: silentLogger })).rejects.toThrow(
      'Syncing is off (SALESFORCE_ENABLED=false)',
    );
  });
});

describe('repair through the Connect stand-in', async () => {
  const { database, boss } = await testSyncWorker({ timeScale: 0.01 });
  const sim = new ConnectSim(database, editorObjectSet, { timers: false });
  await sim.start();
  afterAll(() => sim.stop());
  let states: BrokenStates;

  it('finds the broken states as production had them', async () => {
    states = await brokenStatesBuild(database, sim);
    const report = await doctorReport(database, editorConfig);
    const counts = Object.fromEntries(Object.entries(doctorClasses(report)).map(([name, found]) => [name, found.count]));
    expect(counts).toMatchObject({ failedOnEditor: 1, failedOnContact: 1, noAffiliationRow: 1, noEditorRow: 1 });
  });

  it('heals the recoverable ones, and Connect pushes the repaired rows', async () => {
    const plan = await repairPlan(database, editorConfig);
    await repairApply(database, editorObjectSet, plan, { enabled: true, log: silentLogger });
    await waitFor('the repaired affiliations to reach Salesforce', () => affiliationsInSalesforce(database, sim, recoverableRoleIds(states)));
    expect(await mirrorRowRead(database, editor, states.noEditorRow.schoolId)).toMatchObject({ _hc_lastop: expect.stringMatching(/INSERTED|SYNCED/) });
    // The upstream failure is reported, never touched.
    expect(await mirrorRowRead(database, contactEditorAffiliation, states.failedOnContact.roleId)).toMatchObject({ _hc_lastop: 'FAILED' });
    const report = await doctorReport(database, editorConfig);
    expect(doctorClasses(report).failedOnEditor?.count).toBe(0);
    expect(doctorClasses(report).noAffiliationRow?.count).toBe(0);
    expect(doctorClasses(report).noEditorRow?.count).toBe(0);
    expect(doctorClasses(report).failedOnContact?.examples).toEqual([states.failedOnContact.schoolId]);
    expect((await repairPlan(database, editorConfig)).items).toEqual([]);
  });
});
