/**
 * Heroku Connect drops a mirror table and makes it again when a mapping changes. Meanwhile the
 * dashboard's front page answers, shows the other objects as usual and says, for the objects
 * whose findings read the missing table, that it is missing; /metrics answers and says nothing per
 * scrape; the doctor's text says it in one line. Once the table is back the page is as before.
 */
import { describe, expect, it } from 'vitest';
import { mirrorTablesCreate } from '../../src/connect-sim/mirror-tables.ts';
import { dashboardApp } from '../../src/dashboard/dashboard-server.ts';
import { contact } from '../../src/editor/objects/contact.ts';
import { silentLogger } from '../../src/log.ts';
import { doctorReport, doctorReportText } from '../../src/ops/doctor-report.ts';
import { doctorThresholdDefaults, doctorThresholdsCompare } from '../../src/ops/doctor-thresholds.ts';
import { queueDepthsRead } from '../../src/worker/queue-depths.ts';
import { testDatabase } from '../support/database.ts';
import { editorConfig, editorObjectSet } from '../support/editor.ts';
import { logCapture } from '../support/log.ts';
import { mirrorRowInsert, roleInsert, schoolInsert } from '../support/records.ts';

const database = await testDatabase();
const captured = logCapture('warn');
const credentials = { username: 'ops', password: 'correct horse battery' };
const metricsToken = 'a-scraper-token-of-some-length';
const { app, close } = dashboardApp(database, editorConfig, credentials, captured.log, { metricsToken });
const headers = { Authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` };

const missingSaid = 'mirror table salesforce.contact does not exist now';

describe('a mirror table dropped while the dashboard runs', () => {
  it('the overview answers, says which table is missing, and shows the other objects', async () => {
    // A school without an Editor__c row (Editor__c reads only its own table), and a FAILED Contact row.
    const school = await schoolInsert(database);
    const role = await roleInsert(database, { schoolId: school.id });
    await mirrorRowInsert(database, contact, role.userId, { synced: false });
    await database.pool.query(`UPDATE salesforce.contact SET _hc_lastop = 'FAILED', _hc_err = 'refused'`);
    const before = await app.request('/', { headers });
    expect(before.status).toBe(200);
    const normal = await before.text();

    await database.pool.query('DROP TABLE salesforce.contact');
    try {
      const page = await app.request('/', { headers });
      const body = await page.text();
      expect(page.status, body.slice(0, 500)).toBe(200);
      expect(body).toContain(missingSaid);
      // Editor__c reads no missing table: its findings are there as before, with the school's id.
      expect(body).toContain(school.id);

      for (let scrape = 0; scrape < 3; scrape++) {
        const metrics = await app.request('/metrics', { headers: { Authorization: `Bearer ${metricsToken}` } });
        expect(metrics.status).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const report = await doctorReport(database, editorConfig);
      expect(report.objects.find((health) => health.object === 'Contact')?.mirrorTablesMissing).toEqual({ tables: ['salesforce.contact'], ownTable: true });
      expect(report.objects.find((health) => health.object === 'Editor__c')?.mirrorTablesMissing).toBeUndefined();
      const text = doctorReportText(report);
      expect(text.split('\n').filter((line) => line.includes(missingSaid)).length).toBeGreaterThanOrEqual(1);
      expect(text).not.toMatch(/\n\s+at /);
      // An alert run from cron says it too, in one line.
      const { crossed } = doctorThresholdsCompare(report, await queueDepthsRead(database.db), doctorThresholdDefaults);
      expect(crossed).toContainEqual(expect.stringContaining(missingSaid));
    } finally {
      await mirrorTablesCreate(database, editorObjectSet, silentLogger);
    }
    expect(captured.lines.map((line) => line.msg)).toEqual([]);

    const after = await app.request('/', { headers });
    expect(after.status).toBe(200);
    const restored = await after.text();
    expect(restored).not.toContain(missingSaid);
    // Back as before (the FAILED Contact row went with the dropped table).
    expect(restored).toContain(school.id);
    expect(restored.match(/FAILED for another reason/g)?.length).toBe(normal.match(/FAILED for another reason/g)?.length);
    await close();
  });
});
