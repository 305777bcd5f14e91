/**
 * Jobs piled up for one record, and jobs sent without their record key (pg-boss `send` without
 * a singletonKey, the pg-boss dashboard's "Send Job" with the key left empty), run at full
 * speed beside the others, while one record still never runs twice at once.
 */
import { describe, expect, it } from 'vitest';
import { editor } from '../../src/editor/objects/editor.ts';
import { silentLogger } from '../../src/log.ts';
import { workerStart } from '../../src/worker/worker-process.ts';
import { testDatabase } from '../support/database.ts';
import { editorConfig } from '../support/editor.ts';
import { testBoss } from '../support/queue.ts';
import { waitFor } from '../support/wait.ts';
import { editorJobsInsert, figure, jobStates, schoolsSeed } from './support.ts';

const settings = { summarySeconds: 0, reconcilerCron: 'off' };

describe('record keys', () => {
  it('300 jobs sent without a key drain beside 300 keyed ones, each keyed by its record', { timeout: 90_000 }, async () => {
    const database = await testDatabase();
    const boss = await testBoss(database);
    const keyless = await schoolsSeed(database, 300, 'Keyless');
    const keyed = await schoolsSeed(database, 300, 'Keyed');
    const worker = await workerStart(database, editorConfig, silentLogger, settings);
    const started = Date.now();
    for (const schoolId of keyless) await boss.send(editor.queueName, { schoolId });
    await editorJobsInsert(boss, keyed);
    await waitFor('every job to complete', async () => (await jobStates(database, editor.queueName)).completed === 600, { timeoutMs: 60_000, intervalMs: 100 });
    const drainSeconds = (Date.now() - started) / 1000;
    await worker.stop(1000);
    const { rows } = await database.pool.query<{ keyed_by_record: number }>(
      `SELECT count(*)::int AS keyed_by_record FROM pgboss.job WHERE name = $1 AND singleton_key = data->>'schoolId' AND data->>'schoolId' = ANY($2)`,
      [editor.queueName, keyless],
    );
    figure('keyless jobs', { keyless: keyless.length, keyed: keyed.length, drainSeconds: drainSeconds.toFixed(1), keylessGivenRecordKey: rows[0]!.keyed_by_record });
    expect(rows[0]!.keyed_by_record).toBe(keyless.length);
  });

  it('26 jobs piled up for one record do not hold back 1,999 others', { timeout: 90_000 }, async () => {
    const database = await testDatabase();
    const boss = await testBoss(database);
    const [piled] = await schoolsSeed(database, 1, 'Piled');
    const others = await schoolsSeed(database, 1999);
    // The pile is enqueued first, so it sits at the head of the queue.
    for (let i = 0; i < 26; i++) await boss.send(editor.queueName, { schoolId: piled!, isCreate: true }, { singletonKey: piled! });
    await editorJobsInsert(boss, others);
    const worker = await workerStart(database, editorConfig, silentLogger, settings);
    const started = Date.now();
    await waitFor('every job to complete', async () => (await jobStates(database, editor.queueName)).completed === 2025, { timeoutMs: 60_000, intervalMs: 100 });
    const drainSeconds = (Date.now() - started) / 1000;
    await worker.stop(1000);
    const { rows } = await database.pool.query<{ ran: number; coalesced: number }>(
      `SELECT count(*) FILTER (WHERE output ? 'coalescedInto')::int AS coalesced, count(*) FILTER (WHERE NOT output ? 'coalescedInto')::int AS ran
       FROM pgboss.job WHERE name = $1 AND singleton_key = $2`,
      [editor.queueName, piled],
    );
    figure('jobs piled up for one record', { piled: 26, others: others.length, pileRan: rows[0]!.ran, pileCoalesced: rows[0]!.coalesced, drainSeconds: drainSeconds.toFixed(1) });
    expect(rows[0]).toEqual({ ran: 1, coalesced: 25 });
  });
});
