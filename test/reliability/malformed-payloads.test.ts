/**
 * 1,000 malformed jobs of many kinds mixed into the same queues as 1,000 good ones: each bad
 * job is dead-lettered on its first run (retry count 0) with one bounded log line, every good
 * job is written, the worker stays up, and no secret planted in a payload reaches the log.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contactEditorAffiliation } from '../../src/editor/objects/contact-editor-affiliation.ts';
import { editor } from '../../src/editor/objects/editor.ts';
import { deadLetterQueue } from '../../src/queue/queues.ts';
import { testDatabase } from '../support/database.ts';
import { testBoss } from '../support/queue.ts';
import { waitFor } from '../support/wait.ts';
import { figure, jobStates, schoolsSeed, workerSpawn } from './support.ts';

const good = 1000;
const bad = 1000;
const planted = ['PLANTED-PASSWORD-7f3a', 'PLANTED-TOKEN-91c2', 'planted.person@example.com', 'Bearer PLANTED-AUTH-55d0', 'PLANTED-APIKEY-e4b1', 'PLANTED-SECRET-0a9f'];

/** The kinds of malformed payload, each a function of its index. */
const badKinds: ((i: number, poisonSchoolId: string) => { queue: string; data: unknown })[] = [
  (i) => ({ queue: contactEditorAffiliation.queueName, data: { roleId: String(9223372036854775808n + BigInt(i)) } }),
  (i) => ({ queue: contactEditorAffiliation.queueName, data: { roleId: 1e30 * (i + 1) } }),
  (i) => ({ queue: contactEditorAffiliation.queueName, data: { roleId: -(i + 1) } }),
  (i) => ({ queue: editor.queueName, data: { schoolId: i % 100 === 0 ? 'x'.repeat(1_000_000) : 'y'.repeat(10_000) } }),
  (i) => ({ queue: editor.queueName, data: { schoolId: `'; DROP TABLE schools; -- ${i}` } }),
  (i) => ({ queue: editor.queueName, data: { schoolId: `${String(i).padStart(8, '0')}-0000-0000-0000-00000000000g` } }),
  (i) => ({ queue: editor.queueName, data: { schoolId: { $gt: i, nested: [[[{ deeper: Array.from({ length: 500 }, (_, n) => n) }]]] } } }),
  () => ({
    queue: editor.queueName,
    data: {
      schoolId: randomUUID(),
      password: planted[0],
      profile: { session: { token: planted[1] }, contacts: [{ email: planted[2] }], headers: { Authorization: planted[3] } },
      config: { deep: { deeper: { apiKey: planted[4], client_secret: planted[5] } } },
    },
  }),
  () => ({ queue: editor.queueName, data: { ['k'.repeat(50_000)]: 1 } }),
  () => ({ queue: editor.queueName, data: null }),
  () => ({ queue: editor.queueName, data: [1, 2, 3] }),
  // Of the right shape, but naming a school the app does not have.
  () => ({ queue: editor.queueName, data: { schoolId: randomUUID() } }),
  // Of the right shape and an existing school, but refused by the database when written.
  (_, poisonSchoolId) => ({ queue: editor.queueName, data: { schoolId: poisonSchoolId, isCreate: true } }),
];

describe('malformed payloads among good ones', () => {
  it(`${bad} bad of ${badKinds.length} kinds + ${good} good: bad dead-lettered at once, good written, log bounded and secret-free`, { timeout: 150_000 }, async () => {
    const database = await testDatabase();
    const boss = await testBoss(database);
    const goodIds = await schoolsSeed(database, good);
    const poisonIds = await schoolsSeed(database, Math.ceil(bad / badKinds.length), 'Poison');
    // The mirror refuses these schools' rows: only running each job apart finds which one.
    await database.pool.query(`ALTER TABLE salesforce.editor__c ADD CONSTRAINT poison_refused CHECK (name NOT LIKE 'Poison%')`);

    const badJobs = Array.from({ length: bad }, (_, i) => badKinds[i % badKinds.length]!(i, poisonIds[Math.floor(i / badKinds.length)]!));
    const goodJobs = goodIds.map((schoolId) => ({ queue: editor.queueName, data: { schoolId, isCreate: true }, singletonKey: schoolId }));
    // Interleaved, so bad jobs sit in the same batches as good ones; bad ones sent without a key, as any sender may.
    const mixed = goodJobs.flatMap((job, i) => [job, { ...badJobs[i]!, singletonKey: undefined }]);
    const worker = await workerSpawn(database);
    const started = Date.now();
    for (let start = 0; start < mixed.length; start += 50) {
      for (const queue of [editor.queueName, contactEditorAffiliation.queueName]) {
        const jobs = mixed.slice(start, start + 50).filter((job) => job.queue === queue).map(({ data, singletonKey }) => ({ data: data as object, singletonKey }));
        if (jobs.length > 0) await boss.insert(queue, jobs);
      }
    }
    const settled = async () => {
      const [school, role] = await Promise.all([jobStates(database, editor.queueName), jobStates(database, contactEditorAffiliation.queueName)]);
      return (school.completed ?? 0) + (school.failed ?? 0) + (role.failed ?? 0) === good + bad;
    };
    await waitFor("every job to be settled", settled, { timeoutMs: 120_000, intervalMs: 250 }).catch((error) => { console.log(worker.output().split("\n").filter((l) => l.includes("\"level\":50") || l.includes("\"level\":40")).slice(0, 5).map((l) => l.slice(0, 600)).join("\n")); throw error; });
    const settleSeconds = (Date.now() - started) / 1000;
    const alive = worker.child.exitCode === null;
    worker.child.kill('SIGTERM');
    await worker.exited;

    const { rows: failed } = await database.pool.query<{ failed: number; retried: number }>(
      `SELECT count(*)::int AS failed, count(*) FILTER (WHERE retry_count > 0)::int AS retried FROM pgboss.job WHERE name = ANY($1) AND state = 'failed'`,
      [[editor.queueName, contactEditorAffiliation.queueName]],
    );
    const deadLettered = (await jobStates(database, deadLetterQueue)).created ?? 0;
    const written = (await database.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM salesforce.editor__c WHERE editoruuid__c = ANY($1)`, [goodIds])).rows[0]!.n;
    const output = worker.output();
    const lines = output.split('\n').filter((line) => line !== '');
    const longest = Math.max(...lines.map((line) => Buffer.byteLength(line)));
    const rejectedLines = worker.lines().filter((line) => String(line.msg).startsWith('sync job rejected'));
    const leaked = planted.filter((secret) => output.includes(secret));
    figure('malformed payloads', {
      bad,
      kinds: badKinds.length,
      good,
      deadLettered,
      retriedBeforeDeadLetter: failed[0]!.retried,
      goodWritten: written,
      settleSeconds: settleSeconds.toFixed(1),
      workerAlive: alive,
      rejectedLines: rejectedLines.length,
      longestLogLineBytes: longest,
      secretsLeaked: leaked.length,
    });
    expect(alive).toBe(true);
    expect(failed[0]).toEqual({ failed: bad, retried: 0 });
    expect(deadLettered).toBe(bad);
    expect(written).toBe(good);
    expect(longest).toBeLessThanOrEqual(4096);
    expect(leaked).toEqual([]);
    expect(rejectedLines).toHaveLength(bad);
    for (const line of rejectedLines) expect(line).toMatchObject({ queue: expect.any(String), jobId: expect.any(String) });
    const refused = rejectedLines.filter((line) => line.error === 'RowRefusedError');
    expect(refused.length).toBeGreaterThan(0);
    for (const line of refused) expect(line.recordId).toEqual(expect.any(String));
  });
});
