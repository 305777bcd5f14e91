/**
 * Heroku's smallest plans allow 20 connections. On a server with max_connections 20, a worker and
 * a dashboard at their default budgets (8 and 4) beside an app using the rest, all busy: no
 * connection is refused, the dashboard's overview and jobs pages answer, every job lands.
 */
import { createServer } from 'node:net';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { connectionBudgetDefaults } from '../../src/db/connection-budget.ts';
import { poolConnectionsGuard } from '../../src/db/connection-loss.ts';
import { editor } from '../../src/editor/objects/editor.ts';
import { waitFor } from '../support/wait.ts';
import { figure, jobStates, ownServerStart, workerSpawn } from './support.ts';

const maxConnections = 20;
/** The test's own reads. */
const testConnections = 2;
const records = 1500;

const server = await ownServerStart({ max_connections: maxConnections }, { poolSize: testConnections });
const { database } = server;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

describe(`a ${maxConnections}-connection plan`, () => {
  it('holds a worker, a dashboard and an app using the rest: nothing refused, nothing lost', { timeout: 180_000 }, async () => {
    const appConnections = maxConnections - connectionBudgetDefaults.worker - connectionBudgetDefaults.dashboard - testConnections;
    const worker = await workerSpawn(database, { WORKER_BATCH_SIZE: '50' });
    const port = await freePort();
    const password = 'correct horse battery';
    const dashboard = await workerSpawn(database, { PORT: String(port), DASHBOARD_USER: 'ops', DASHBOARD_PASSWORD: password }, { command: 'dashboard' });
    const headers = { Authorization: `Basic ${Buffer.from(`ops:${password}`).toString('base64')}` };

    // The app: every connection of its share busy creating schools and enqueueing their syncs.
    const app = new pg.Pool({ connectionString: database.url, max: appConnections });
    poolConnectionsGuard(app);
    let refused = 0;
    let created = 0;
    const appWork = async () => {
      while (created < records) {
        created += 1;
        const client = await app.connect();
        try {
          await client.query('BEGIN');
          const { rows } = await client.query<{ id: string }>(`INSERT INTO schools (name, creator_id) VALUES ('Budget school', gen_random_uuid()) RETURNING id`);
          await client.query(`SELECT connect_sync.sync_enqueue($1, jsonb_build_object('schoolId', $2::text, 'isCreate', true), $2::text)`, [editor.queueName, rows[0]!.id]);
          await client.query('COMMIT');
        } catch (error) {
          if ((error as { code?: string }).code === '53300') refused += 1;
          else throw error;
        } finally {
          client.release();
        }
      }
    };
    const appDone = Promise.all(Array.from({ length: appConnections }, appWork));

    // Meanwhile an operator keeps the dashboard open.
    const statuses: Record<string, number[]> = { '/': [], '/queues': [] };
    let peak = 0;
    for (let poll = 0; poll < 20; poll++) {
      for (const path of Object.keys(statuses)) {
        const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
        statuses[path]!.push(response.status);
        await response.body?.cancel();
      }
      const { rows } = await database.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend'`);
      peak = Math.max(peak, rows[0]!.n);
    }
    await appDone;
    await waitFor('every job to complete', async () => (await jobStates(database, editor.queueName)).completed === records, { timeoutMs: 120_000, intervalMs: 250 });
    const written = (await database.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM salesforce.editor__c`)).rows[0]!.n;
    await app.end();
    worker.child.kill('SIGTERM');
    dashboard.child.kill('SIGTERM');
    const codes = await Promise.all([worker.exited, dashboard.exited]);
    const refusedInLogs = [worker, dashboard].filter((process) => /too many clients|remaining connection slots/i.test(process.output())).length;
    const answered = Object.values(statuses).flat();
    figure('20-connection plan', {
      appConnections,
      records,
      written,
      appRefused: refused,
      dashboardAnswered200: answered.filter((status) => status === 200).length,
      dashboardRequests: answered.length,
      peakConnections: peak,
      processesRefused: refusedInLogs,
    });
    expect(refused).toBe(0);
    expect(answered.every((status) => status === 200), JSON.stringify(statuses)).toBe(true);
    expect(refusedInLogs).toBe(0);
    expect(written).toBe(records);
    expect(codes).toEqual([0, 0]);
  });
});
