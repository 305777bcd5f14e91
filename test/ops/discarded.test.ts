/**
 * Jobs a worker discarded while syncing was off are not lost from sight: the doctor counts their
 * records per object, and repair enqueues each record again, once.
 */
import { describe, expect, it } from 'vitest';
import { contact } from '../../src/editor/objects/contact.ts';
import { silentLogger } from '../../src/log.ts';
import { doctorReport, doctorReportText } from '../../src/ops/doctor-report.ts';
import { repairApply, repairPlan } from '../../src/ops/repair.ts';
import { syncWorkStart } from '../../src/queue/sync-worker.ts';
import { testDatabase } from '../support/database.ts';
import { editorConfig } from '../support/editor.ts';
import { jobsRead, testBoss } from '../support/queue.ts';
import { schoolInsert } from '../support/records.ts';
import { waitFor } from '../support/wait.ts';

describe('jobs discarded while syncing was off', () => {
  it('are counted by the doctor and enqueued again by repair, once', async () => {
    const database = await testDatabase();
    const boss = await testBoss(database);
    await syncWorkStart(boss, database.db, editorConfig.objects, silentLogger, { enabled: false, pollingIntervalSeconds: 0.5, only: [contact] });
    const schools = [await schoolInsert(database), await schoolInsert(database)];
    for (const school of schools) await boss.send(contact.queueName, { schoolId: school.id }, { singletonKey: school.id });
    await waitFor('both jobs to be discarded', async () => (await jobsRead(database, contact.queueName)).filter((job) => job.output?.discarded).length === 2);
    await boss.offWork(contact.queueName, { wait: true });

    const report = await doctorReport(database, editorConfig);
    const health = report.objects.find((found) => found.object === contact.name)!;
    expect(health.discarded).toEqual({ count: 2, examples: schools.map((school) => school.id).sort() });
    expect(doctorReportText(report)).toContain('jobs discarded while syncing was off (repair enqueues them again): 2');

    const plan = await repairPlan(database, editorConfig);
    const replays = plan.items.filter((item) => item.action === 'discardedReplay');
    expect(replays.map((item) => item.recordId).sort()).toEqual(schools.map((school) => school.id).sort());
    const result = await repairApply(database, editorConfig.objects, { ...plan, items: replays }, { enabled: true, log: silentLogger });
    expect(result).toMatchObject({ jobsEnqueued: 2, itemsSkipped: 0 });
    const waiting = (await jobsRead(database, contact.queueName)).filter((job) => job.state === 'created');
    expect(waiting.map((job) => job.data).sort((a, b) => String(a.schoolId).localeCompare(String(b.schoolId)))).toEqual(
      schools.map((school) => ({ schoolId: school.id })).sort((a, b) => a.schoolId.localeCompare(b.schoolId)),
    );

    // Their records have a job again: nothing left to count, nothing to enqueue twice.
    const after = await doctorReport(database, editorConfig);
    expect(after.objects.find((found) => found.object === contact.name)!.discarded.count).toBe(0);
    expect((await repairPlan(database, editorConfig)).items.filter((item) => item.action === 'discardedReplay')).toEqual([]);
    expect(await repairApply(database, editorConfig.objects, { ...plan, items: replays }, { enabled: true, log: silentLogger })).toMatchObject({
      jobsEnqueued: 0,
      itemsSkipped: 2,
    });
  });
});
