/**
 * `doctor --check` as Heroku Scheduler or cron runs it: exit 1 with a line naming the limit when
 * a FAILED row is planted, 0 once `repair --apply` has healed it; the limits are the operator's.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { contactEditorAffiliation } from '../../src/editor/objects/contact-editor-affiliation.ts';
import { contact } from '../../src/editor/objects/contact.ts';
import { editor } from '../../src/editor/objects/editor.ts';
import { doctorReport } from '../../src/ops/doctor-report.ts';
import { doctorThresholdDefaults, doctorThresholdsCompare } from '../../src/ops/doctor-thresholds.ts';
import { queueDepthsRead } from '../../src/worker/queue-depths.ts';
import { testDatabase } from '../support/database.ts';
import { editorConfig } from '../support/editor.ts';
import { mirrorRowInsert, roleInsert, schoolInsert } from '../support/records.ts';

const exec = promisify(execFile);
const database = await testDatabase();

async function cli(args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await exec(process.execPath, ['src/cli.ts', ...args], { env: { ...process.env, DATABASE_URL: database.url, LOG_FORMAT: 'json', LOG_LEVEL: 'warn' } });
    return { code: 0, stdout };
  } catch (error) {
    const failure = error as { code: number; stdout: string };
    return { code: failure.code, stdout: failure.stdout };
  }
}

describe('doctor --check', () => {
  it('exits 1 on a planted FAILED row, within a limit that allows it exits 0, and after repair exits 0', async () => {
    expect(await cli(['doctor', '--check'])).toEqual({ code: 0, stdout: 'ok: 0 FAILED rows, 0 dead letters, oldest wait 0 s: all within limits\n' });

    // Connect left an affiliation FAILED on its Editor__c, which Salesforce has now.
    const school = await schoolInsert(database);
    const role = await roleInsert(database, { schoolId: school.id });
    await mirrorRowInsert(database, editor, school.id, { synced: true });
    await mirrorRowInsert(database, contact, role.userId, { synced: true });
    await mirrorRowInsert(database, contactEditorAffiliation, String(role.id), {
      synced: false,
      values: { editor__r__editoruuid__c: school.id, contact__r__pi_accounts_unique_id__c: role.userId },
    });
    const error = JSON.stringify({ message: `Foreign key external ID: ${school.id} not found for field EditorUUID__c in entity Editor__c`, errorCode: 'INVALID_FIELD' });
    await database.pool.query(`UPDATE salesforce.contact_editor_affiliation__c SET _hc_lastop = 'FAILED', _hc_err = $1 WHERE affiliation_id__c = $2`, [error, String(role.id)]);

    const crossed = await cli(['doctor', '--check']);
    expect(crossed).toEqual({ code: 1, stdout: '1 mirror rows FAILED (limit 0): see connect-sync doctor, then repair\n' });
    // The operator's limits decide.
    const [report, depths] = await Promise.all([doctorReport(database, editorConfig), queueDepthsRead(database.db)]);
    expect(doctorThresholdsCompare(report, depths, { ...doctorThresholdDefaults, maxFailedRows: 1 }).crossed).toEqual([]);
    expect(doctorThresholdsCompare(report, depths, doctorThresholdDefaults).measured).toEqual({ maxFailedRows: 1, maxDeadLetters: 0, maxOldestWaitSeconds: 0 });

    expect((await cli(['repair', '--apply'])).code).toBe(0);
    expect((await cli(['doctor', '--check'])).code).toBe(0);
  }, 240_000);

  it('refuses a limit that is not a whole number, naming it', async () => {
    const result = await cli(['doctor', '--check', '--max-dead-letters', 'some']);
    expect(result.code).not.toBe(0);
  }, 120_000);
});
