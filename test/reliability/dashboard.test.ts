/**
 * Every page and action of the dashboard, against the queue schema the worker runs on: all 401
 * without credentials; with them every page answers 2xx and every job action (cancel, resume,
 * retry, delete) changes the job. It listens on loopback unless told otherwise, and a busy port
 * is one clear error.
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { dashboardApp, dashboardStart } from '../../src/dashboard/dashboard-server.ts';
import { dashboardDatabaseUrl, dashboardHost, DashboardPortInUseError } from '../../src/dashboard/dashboard-listen.ts';
import { editor } from '../../src/editor/objects/editor.ts';
import { silentLogger } from '../../src/log.ts';
import { testDatabase } from '../support/database.ts';
import { editorConfig } from '../support/editor.ts';
import { jobsRead, testBoss } from '../support/queue.ts';
import { schoolInsert } from '../support/records.ts';
import { figure } from './support.ts';

const database = await testDatabase();
const boss = await testBoss(database);
const credentials = { username: 'ops', password: 'correct horse battery' };
const { app, close } = dashboardApp(database, editorConfig, credentials);
const authorized = { Authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` };

const jobState = async (id: string) => (await jobsRead(database, editor.queueName)).find((job) => job.id === id)?.state;

async function jobAction(id: string, intent: string): Promise<Response> {
  const body = new URLSearchParams({ intent, jobId: id });
  return app.request(`/queues/queues/${editor.queueName}/jobs/${id}`, { method: 'POST', headers: { ...authorized, 'Content-Type': 'application/x-www-form-urlencoded' }, body });
}

describe('the dashboard on the worker\'s queue schema', () => {
  it('answers every page 401 without credentials and 2xx with them, and every job action works', async () => {
    const school = await schoolInsert(database);
    const id = (await boss.send(editor.queueName, { schoolId: school.id }, { singletonKey: school.id }))!;
    // The pg-boss dashboard is mounted under /queues, and its own queue pages live under /queues there.
    const queue = `/queues/queues/${editor.queueName}`;
    const pages = ['/', '/queues', '/queues/queues', queue, `${queue}/jobs/${id}`, '/queues/jobs', '/queues/schedules', '/queues/warnings', '/queues/send', '/queues/queues/create'];
    const statuses: Record<string, [number, number]> = {};
    for (const page of pages) {
      const anonymous = (await app.request(page)).status;
      const response = await app.request(page, { headers: authorized });
      statuses[page] = [anonymous, response.status];
    }
    for (const [page, [anonymous, status]] of Object.entries(statuses)) {
      expect({ page, anonymous }).toEqual({ page, anonymous: 401 });
      expect({ page, status: Math.floor(status / 100) }).toEqual({ page, status: 2 });
    }
    // Actions without credentials never reach the queue.
    expect((await app.request(`/queues/queues/${editor.queueName}/jobs/${id}`, { method: 'POST', body: new URLSearchParams({ intent: 'cancel', jobId: id }) })).status).toBe(401);
    expect(await jobState(id)).toBe('created');

    const actions: Record<string, [number, string | undefined]> = {};
    for (const [intent, after] of [['cancel', 'cancelled'], ['resume', 'created'], ['cancel', 'cancelled'], ['delete', undefined]] as const) {
      const response = await jobAction(id, intent);
      actions[intent] = [response.status, await jobState(id)];
      // Delete answers with a redirect to the queue's page, the job being gone.
      expect({ intent, status: Math.floor(response.status / 100), state: await jobState(id) }).toEqual({ intent, status: intent === 'delete' ? 3 : 2, state: after });
    }
    // Retry takes a failed job back to the queue.
    const failedId = (await boss.send(editor.queueName, { schoolId: school.id }, { singletonKey: `${school.id}-2`, retryLimit: 0 }))!;
    const [fetched] = await boss.fetch(editor.queueName);
    await boss.fail(editor.queueName, fetched!.id, { reason: 'test' });
    expect(await jobState(failedId)).toBe('failed');
    const retried = await jobAction(failedId, 'retry');
    expect(Math.floor(retried.status / 100)).toBe(2);
    expect(await jobState(failedId)).toBe('retry');
    figure('dashboard', { pages: pages.length, unauthenticated401: Object.values(statuses).filter(([a]) => a === 401).length, pages2xx: Object.values(statuses).filter(([, s]) => s < 300).length, actionsWorking: 5 });
    await close();
  });

  it('listens on loopback by default, on every interface on a Heroku dyno, and on HOST when set', () => {
    expect(dashboardHost({}, {})).toBe('127.0.0.1');
    expect(dashboardHost({}, { DYNO: 'web.1' })).toBe('0.0.0.0');
    expect(dashboardHost({ HOST: '::1' }, { DYNO: 'web.1' })).toBe('::1');
  });

  it('connects the jobs dashboard with the same TLS rule as the rest', () => {
    const url = 'postgres://u:p@db.example.com:5432/app';
    expect(new URL(dashboardDatabaseUrl({ url, ssl: { rejectUnauthorized: false } })).searchParams.get('sslmode')).toBe('no-verify');
    expect(new URL(dashboardDatabaseUrl({ url, ssl: { rejectUnauthorized: true } })).searchParams.get('sslmode')).toBe('verify-full');
    expect(new URL(dashboardDatabaseUrl({ url, ssl: false })).searchParams.get('sslmode')).toBe('disable');
  });

  it('says in one line that a busy port is busy', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const starting = dashboardStart(database, editorConfig, silentLogger, { PORT: port, HOST: '127.0.0.1', DASHBOARD_USER: 'ops', DASHBOARD_PASSWORD: 'correct horse battery' });
    await expect(starting).rejects.toThrow(DashboardPortInUseError);
    await expect(starting).rejects.toThrow(/^The dashboard cannot listen on 127\.0\.0\.1:\d+: the port is in use[^\n]*$/);
    await new Promise((resolve) => blocker.close(resolve));
  });
});
