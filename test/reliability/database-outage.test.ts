/**
 * A running worker whose database goes away for a while (a failover, a restart that takes its
 * time), on a server of the test's own: the worker logs one warning when it finds the database
 * unreachable and one line when it answers again, and nothing per failed batch, poll, waker tick,
 * summary or pg-boss error in between; the jobs queued through it all land.
 */
import type { PgBoss } from 'pg-boss';
import { describe, expect, it } from 'vitest';
import { editor } from '../../src/editor/objects/editor.ts';
import { bossCreate } from '../../src/queue/boss.ts';
import { silentLogger } from '../../src/log.ts';
import { waitFor } from '../support/wait.ts';
import { editorWrites, figure, jobStates, ownServerStart, schoolsSeed, workerSpawn } from './support.ts';

const server = await ownServerStart();
const { database } = server;

/** The queue summary and its l2met lines, said every second whatever happens. */
const isSummary = (message: string) =>
  / ready, .* deferred, .* active|not yet counted by pg-boss's monitor|all sync queues idle|^(sample|count)#/.test(message);

/** Seconds the server stays down. */
const outageSeconds = 12;

describe('a running worker whose database goes away for a while', () => {
  it('says so once, says once that it is back, and every job lands', { timeout: 180_000 }, async () => {
    const worker = await workerSpawn(database, {
      WORKER_BATCH_SIZE: '20',
      WORKER_POLLING_SECONDS: '0.5',
      // Every periodic part on, and often: the summary every second, the waker every half second.
      WORKER_SUMMARY_SECONDS: '1',
      PARENT_WAKE_SECONDS: '0.5',
      RECONCILER_CRON: '* * * * *',
    });
    const schoolIds = await schoolsSeed(database, 1000, 'Outage');
    const boss: PgBoss = bossCreate(database, silentLogger, { poolSize: 2 });
    await boss.start();
    // Half due now, half due during the outage: the worker polls for them while the server is down.
    const jobs = schoolIds.map((schoolId, index) => ({ data: { schoolId, isCreate: true }, singletonKey: schoolId, startAfter: index < 500 ? 0 : 4 }));
    await boss.insert(editor.queueName, jobs);
    await boss.stop({ graceful: false, timeout: 1000 });
    await waitFor('the worker to be writing', async () => ((await jobStates(database, editor.queueName)).completed ?? 0) > 0, { timeoutMs: 30_000, intervalMs: 20 });

    const linesBefore = worker.lines().length;
    await server.stop();
    await new Promise((resolve) => setTimeout(resolve, outageSeconds * 1000));
    const aliveWhileDown = worker.child.exitCode === null;
    await server.start();
    await waitFor('every job to complete', async () => worker.child.exitCode !== null || (await jobStates(database, editor.queueName)).completed === schoolIds.length, {
      timeoutMs: 90_000,
      intervalMs: 200,
    });
    // The back line may follow the first batch that works: a little time to be said.
    await waitFor('the worker to say the database is back', () => worker.output().includes('reachable again'), { timeoutMs: 15_000 }).catch(() => undefined);
    const states = await jobStates(database, editor.queueName);
    const writes = await editorWrites(database);
    worker.child.kill('SIGTERM');
    const code = await worker.exited;

    const during = worker.lines().slice(linesBefore);
    const messages = during.map((line) => String(line.msg));
    const problems = during.filter((line) => Number(line.level) >= 40);
    const others = messages.filter((message) => !isSummary(message));
    figure('database outage while the worker runs', {
      outageSeconds,
      jobs: schoolIds.length,
      completed: states.completed,
      inserted: writes.inserts,
      warnings: problems.length,
      unreachableLines: messages.filter((message) => message.includes('unreachable')).length,
      backLines: messages.filter((message) => message.includes('reachable again')).length,
      linesBesideSummaries: others.length,
      exitCode: code,
    });
    const excerpt = others.join('\n').slice(0, 4000);
    expect(aliveWhileDown, excerpt).toBe(true);
    // One warning for the outage, naming what failed; nothing per batch, poll or tick.
    expect(problems.map((line) => line.msg), excerpt).toEqual([expect.stringContaining('unreachable')]);
    expect(problems[0]).toMatchObject({ errorClass: expect.any(String) });
    expect(messages.filter((message) => message.includes('reachable again')), excerpt).toHaveLength(1);
    expect(messages.some((message) => message.includes('jobs failed')), excerpt).toBe(false);
    // Bounded: the two lines, the stop's lines, a few more at most.
    expect(others.length, excerpt).toBeLessThanOrEqual(10);
    expect(states.completed).toBe(schoolIds.length);
    expect(states.failed ?? 0).toBe(0);
    expect(writes.inserts).toBe(schoolIds.length);
    expect(code).toBe(0);
  });
});
