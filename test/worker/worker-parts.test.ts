/**
 * One worker, two ways in: `connect-sync worker` (settings from the environment) and
 * `sync.workerStart()` in a host's process start the same parts with the same defaults. A worker
 * with syncing off says so in its first line, before it takes a job.
 */
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { connectSync } from '../../src/connect-sync.ts';
import { editorPreset } from '../../src/editor/preset.ts';
import { contact } from '../../src/editor/objects/contact.ts';
import { testDatabase } from '../support/database.ts';
import { logCapture } from '../support/log.ts';
import { jobsRead, testBoss } from '../support/queue.ts';
import { schoolInsert } from '../support/records.ts';
import { waitFor } from '../support/wait.ts';
import { workerSettingsConfig, workerSettingsEnv } from '../support/worker-settings.ts';

const database = await testDatabase();
const children: ReturnType<typeof spawn>[] = [];
afterAll(() => children.forEach((child) => child.kill('SIGKILL')));

type Line = { level: number; msg: string; [key: string]: unknown };

/** `connect-sync worker` with only `env` set beyond the database; resolves with its lines once `until` is logged. */
async function cliWorker(env: Record<string, string>, until: (lines: Line[]) => boolean): Promise<Line[]> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(SALESFORCE_|WORKER_|PARENT_|RECONCILER_)/.test(name)));
  const child = spawn(process.execPath, ['bin/connect-sync.js', 'worker'], {
    env: { ...inherited, DATABASE_URL: database.url, LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const lines = () =>
    output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Line);
  await waitFor('the worker to log what the test waits for', () => until(lines()) || child.exitCode !== null, { timeoutMs: 60_000 });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  return lines();
}

const partsOf = (lines: Line[]) => {
  const started = lines.find((line) => line.msg === 'worker started');
  if (!started) throw new Error(`no "worker started" line in ${JSON.stringify(lines).slice(0, 2000)}`);
  const { level, time, pid, hostname, msg, ...parts } = started;
  return parts;
};

describe('connect-sync worker and sync.workerStart()', () => {
  it('start the same parts with nothing set: queues, waker, reconciler, summaries and settings alike', async () => {
    const cli = partsOf(await cliWorker({}, (lines) => lines.some((line) => line.msg === 'worker started')));
    const captured = logCapture();
    const sync = connectSync({ ...editorPreset, database, log: captured.log });
    const worker = await sync.workerStart();
    await worker.stop(1000);
    await sync.stop();
    expect(worker.parts).toEqual(cli);
    expect(partsOf(captured.lines)).toEqual(cli);
    expect(cli).toMatchObject({ enabled: true, waker: 0.5, reconciler: '*/5 * * * *', summaries: 60, queues: editorPreset.objects.map((object) => object.queueName) });
  });

  it('start the same parts when each setting is given, in the environment or in code', async () => {
    const cli = partsOf(await cliWorker(workerSettingsEnv, (lines) => lines.some((line) => line.msg === 'worker started')));
    const sync = connectSync({ ...editorPreset, database, log: logCapture().log });
    const worker = await sync.workerStart(workerSettingsConfig);
    await worker.stop(1000);
    await sync.stop();
    expect(worker.parts).toEqual(cli);
    expect(cli).toMatchObject({ batchSize: 50, localConcurrency: 2, pollingIntervalSeconds: 1, parentWaitMaxSeconds: 60, waker: 'off', reconciler: 'off', summaries: 'off' });
  });

  it('refuse a setting that is not one, in one line naming it', async () => {
    const sync = connectSync({ ...editorPreset, database, log: logCapture().log });
    await expect(sync.workerStart({ batchSize: 0 })).rejects.toThrow('Invalid worker config: batchSize must be at least 1');
    await expect(sync.workerStart({ pollingSeconds: 1 } as never)).rejects.toThrow(/^Invalid worker config: pollingSeconds not a worker setting/);
  });
});

describe('a worker with syncing off', () => {
  it('says so in its first line, before it takes a job, from the command line', async () => {
    const boss = await testBoss(database);
    const school = await schoolInsert(database);
    await boss.send(contact.queueName, { schoolId: school.id }, { singletonKey: school.id });
    const lines = await cliWorker({ SALESFORCE_ENABLED: 'false', RECONCILER_CRON: 'off' }, (logged) => logged.some((line) => line.msg === 'sync job discarded'));
    expect(lines[0]).toMatchObject({ level: 40, msg: expect.stringMatching(/^syncing is off .*every job this worker takes is completed as discarded/) });
    expect(lines.findIndex((line) => line.msg === 'sync job discarded')).toBeGreaterThan(0);
    await waitFor('the job to be completed as discarded', async () => (await jobsRead(database, contact.queueName)).some((job) => job.state === 'completed'));
  });

  it('says so in its first line in a host process too', async () => {
    const captured = logCapture();
    const sync = connectSync({ ...editorPreset, database, log: captured.log, enabled: false });
    const worker = await sync.workerStart({ reconcilerCron: 'off' });
    await worker.stop(1000);
    await sync.stop();
    expect(captured.lines[0]).toMatchObject({ level: 40, msg: expect.stringMatching(/^syncing is off/) });
    expect(worker.parts.enabled).toBe(false);
  });
});
