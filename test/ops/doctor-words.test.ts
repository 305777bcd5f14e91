/**
 * The doctor speaks of the host's own objects in generic words: a parent still missing is just
 * that, and redrive is suggested only for dead letters it could send back, never for a payload
 * that can never be valid.
 */
import { describe, expect, it } from 'vitest';
import { contact } from '../../src/editor/objects/contact.ts';
import { silentLogger } from '../../src/log.ts';
import { doctorReport, doctorReportText } from '../../src/ops/doctor-report.ts';
import { syncWorkStart } from '../../src/queue/sync-worker.ts';
import { testDatabase } from '../support/database.ts';
import { editorConfig } from '../support/editor.ts';
import { jobsRead, testBoss } from '../support/queue.ts';
import { waitFor } from '../support/wait.ts';

describe('the doctor on dead letters', () => {
  it('does not suggest redrive for a payload that can never be valid', async () => {
    const database = await testDatabase();
    const boss = await testBoss(database);
    await syncWorkStart(boss, database.db, editorConfig.objects, silentLogger, { enabled: true, pollingIntervalSeconds: 0.5, only: [contact] });
    await boss.send(contact.queueName, { schoolID: 'not-a-payload' }, { singletonKey: 'k1' });
    await waitFor('the malformed job to be dead-lettered', async () => (await jobsRead(database, 'salesforce-sync.dead-letter')).length === 1);
    await boss.offWork(contact.queueName, { wait: true });

    // The objects alone: the words checked are the doctor's own, not a preset check's.
    const report = await doctorReport(database, { ...editorConfig, doctorChecks: [] });
    expect(report.deadLettersInvalidPayload.count).toBe(1);
    const text = doctorReportText(report);
    expect(text).toContain('Dead-lettered jobs in all: 1 (e.g. salesforce-sync.contact/k1); 1 have a payload that can never be valid');
    expect(text).not.toContain('connect-sync redrive');
    expect(text).not.toContain('upstream');
  });
});
