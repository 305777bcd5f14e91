/**
 * The worker as a dyno runs it: it stops on SIGTERM within Heroku's 30 s, hands a job still
 * running back to the queue instead of losing it, and two workers at once write each row once.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { schoolCreate } from '../../src/editor/operations/schools.ts';
import { editor } from '../../src/editor/objects/editor.ts';
import { syncEnqueuer } from '../../src/queue/enqueue.ts';
import { silentLogger } from '../../src/log.ts';
import { workerStart } from '../../src/worker/worker-process.ts';
import { testDatabase } from '../support/database.ts';
import { logCapture } from '../support/log.ts';
import { jobsRead, testBoss } from '../support/queue.ts';
import { schoolInsert } from '../support/records.ts';
import { waitFor } from '../support/wait.ts';
import { editorConfig, editorObjectSet } from '../support/editor.ts';

const settings = { summarySeconds: 0, reconcilerCron: 'off' };

describe('stopping', () => {
  it('hands a job still running at the deadline back to the queue, and a later worker finishes it', async () => {
    const database = await testDatabase();
    const boss = await testBoss(database);
    const school = await schoolInsert(database);
    // Hold the Editor__c table so the job's write blocks: it is still running when the worker stops.
    const blocker = await database.pool.connect();
    await blocker.query('BEGIN; LOCK TABLE salesforce.editor__c IN ACCESS EXCLUSIVE MODE');
    const captured = logCapture();
    const worker = await workerStart(database, editorConfig, captured.log, { ...settings, pollingIntervalSeconds: 0.5 });
    await boss.send(editor.queueName, { schoolId: school.id, isCreate: true }, { singletonKey: school.id });
    await waitFor('the job to start', async () => (await jobsRead(database, editor.queueName))[0]?.state === 'active');

    const started = Date.now();
    await worker.stop(1000);
    expect(Date.now() - started).toBeLessThan(10_000);
    const [handedBack] = await jobsRead(database, editor.queueName);
    expect(handedBack?.state).toBe('retry');
    await blocker.query('ROLLBACK');
    blocker.release();

    const next = await workerStart(database, editorConfig, captured.log, { ...settings, pollingIntervalSeconds: 0.5, timeScale: 0.001 });
    await boss.update({ name: editor.queueName, options: { id: handedBack!.id, startAfter: 0 } });
    await waitFor('the job to complete', async () => (await jobsRead(database, editor.queueName))[0]?.state === 'completed');
    await next.stop(1000);
    expect(captured.lines.some((line) => line.msg === 'worker stopped')).toBe(true);
  });

  it('exits cleanly on SIGTERM, as a Heroku dyno is stopped', async () => {
    const database = await testDatabase();
    const child = spawn(process.execPath, ['bin/connect-sync.js', 'worker'], {
      env: { ...process.env, DATABASE_URL: database.url, SALESFORCE_ENABLED: 'true', LOG_FORMAT: 'json' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await waitFor('the worker to start', () => output.includes('sync workers started'));
    child.kill('SIGTERM');
    const started = Date.now();
    expect(await exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(output).toContain('worker stopped');
    expect(output).not.toContain(database.url);
  });
});

describe('the self-healing reconciler', () => {
  it('is scheduled by every worker, every 5 minutes unless told otherwise, and removed with off', async () => {
    const database = await testDatabase();
    const schedules = async () => (await database.pool.query<{ name: string; cron: string }>('SELECT name, cron FROM pgboss.schedule')).rows;
    const plain = await workerStart(database, editorConfig, silentLogger, { summarySeconds: 0 });
    await plain.stop(1000);
    expect(await schedules()).toEqual([{ name: 'connect-sync.reconcile', cron: '*/5 * * * *' }]);
    const worker = await workerStart(database, editorConfig, silentLogger, { ...settings, reconcilerCron: '*/7 * * * *' });
    await worker.stop(1000);
    expect(await schedules()).toEqual([{ name: 'connect-sync.reconcile', cron: '*/7 * * * *' }]);
    const off = await workerStart(database, editorConfig, silentLogger, settings);
    await off.stop(1000);
    expect(await schedules()).toEqual([]);
  });
});

describe('two workers at once', () => {
  it('sync every school exactly once, with no duplicate mirror rows', async () => {
    const database = await testDatabase();
    const boss = await testBoss(database);
    const app = { db: database.db, sync: syncEnqueuer(editorObjectSet, { enabled: true }) };
    const ids: string[] = [];
    for (let i = 0; i < 120; i++) ids.push((await schoolCreate(app, { name: `School ${i}`, creatorId: randomUUID() })).id);
    const captured = logCapture();
    const options = { pollingIntervalSeconds: 0.5, batchSize: 10, only: [editor] };
    const [first, second] = await Promise.all([
      workerStart(database, editorConfig, captured.log, { ...settings, ...options }),
      workerStart(database, editorConfig, captured.log, { ...settings, ...options }),
    ]);
    await waitFor(
      'every school job to complete',
      async () => (await jobsRead(database, editor.queueName)).every((job) => job.state === 'completed'),
      { timeoutMs: 30_000 },
    );
    await Promise.all([first!.stop(1000), second!.stop(1000)]);
    const { rows } = await database.pool.query<{ rows: number; distinct_ids: number }>(
      `SELECT count(*)::int AS rows, count(DISTINCT editoruuid__c)::int AS distinct_ids FROM salesforce.editor__c WHERE editoruuid__c = ANY($1)`,
      [ids],
    );
    expect(rows[0]).toEqual({ rows: 120, distinct_ids: 120 });
    expect(captured.lines.filter((line) => line.level >= 50)).toEqual([]);
  });
});
