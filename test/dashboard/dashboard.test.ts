/** The dashboard answers only with credentials, and shows the queues and the doctor's classes. */
import { describe, expect, it } from 'vitest';
import { dashboardApp, dashboardStart, DashboardCredentialsMissingError } from '../../src/dashboard/dashboard-server.ts';
import { silentLogger } from '../../src/log.ts';
import { contactEditorAffiliation } from '../../src/editor/objects/contact-editor-affiliation.ts';
import { testDatabase } from '../support/database.ts';
import { testBoss } from '../support/queue.ts';
import { roleInsert, schoolInsert } from '../support/records.ts';
import { editorConfig } from '../support/editor.ts';

const database = await testDatabase();
const boss = await testBoss(database);
const credentials = { username: 'ops', password: 'correct horse battery' };
const { app, close } = dashboardApp(database, editorConfig, credentials);
const authorization = (username: string, password: string) => ({
  Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
});

describe('the dashboard', () => {
  it('refuses every page without the right credentials', async () => {
    for (const path of ['/', '/queues', '/queues/salesforce-sync.role']) {
      expect((await app.request(path)).status).toBe(401);
      expect((await app.request(path, { headers: authorization('ops', 'wrong password!') })).status).toBe(401);
    }
  });

  it('refuses to start at all without credentials', async () => {
    await expect(dashboardStart(database, editorConfig, silentLogger, { PORT: 3000, DASHBOARD_USER: 'ops' })).rejects.toThrow(DashboardCredentialsMissingError);
  });

  it('shows queue depths and the doctor classes, and serves the pg-boss dashboard under /queues', async () => {
    const school = await schoolInsert(database);
    const role = await roleInsert(database, { schoolId: school.id });
    await boss.send(contactEditorAffiliation.queueName, { roleId: role.id }, { singletonKey: String(role.id) });

    const page = await app.request('/', { headers: authorization(credentials.username, credentials.password) });
    expect(page.status).toBe(200);
    const body = await page.text();
    expect(body).toContain('salesforce-sync.role');
    expect(body).toMatch(/<td class="n">1<\/td>/);
    for (const name of ['noAffiliationRow', 'failedOnEditor', 'failedOnContact', 'rejected', 'noStaffRoles', 'Contact_Editor_Affiliation__c', 'dead-lettered jobs']) {
      expect(body).toContain(name);
    }
    // The school with no Editor__c row is listed by the per-object doctor, with its id.
    expect(body).toContain(school.id);

    const queues = await app.request('/queues', { headers: authorization(credentials.username, credentials.password) });
    expect(queues.status).toBe(200);
    expect(await queues.text()).toContain('<html');
    await close();
  });
});
