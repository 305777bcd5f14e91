/**
 * The queue numbers the metrics and the worker's summary line report: read from the counts
 * pg-boss's monitor keeps (unknown until it has counted, then as of its last count), with the
 * records waiting on a parent and the dead letters by the queue they came from.
 */
import { describe, expect, it } from 'vitest';
import { queueCountsLine, queueCountsRead } from '../../src/metrics/queue-counts.ts';
import { testDatabase } from '../support/database.ts';
import { testBoss } from '../support/queue.ts';

const database = await testDatabase();
const boss = await testBoss(database);
const role = 'salesforce-sync.role';

describe('the queue counts', () => {
  it("reads pg-boss's counts as of its monitor's last pass, with waits and dead letters", async () => {
    // One job that fails for good, into the dead-letter queue.
    const failing = await boss.send(role, { roleId: 3 }, { singletonKey: 'e', retryLimit: 0 });
    const [fetched] = await boss.fetch(role);
    expect(fetched!.id).toBe(failing);
    await boss.fail(role, failing!, { message: 'refused' });
    for (const key of ['a', 'b', 'c']) await boss.send(role, { roleId: 1 }, { singletonKey: key });
    await boss.fetch(role);
    // A record whose job waits for its parent: its successor is deferred, and the wait is recorded.
    await boss.send(role, { roleId: 2 }, { singletonKey: 'd', startAfter: 3600 });
    await database.pool.query(`INSERT INTO connect_sync.parent_wait (queue, record_key, parent, parent_key) VALUES ($1, 'd', 'Editor__c', 'e')`, [role]);

    // Not yet counted: unknown, not zero.
    const before = await queueCountsRead(database.db);
    expect(before.queues.role).toMatchObject({ countedAgeSeconds: null, waitingOnParent: 1, deadLettered: 1 });
    expect(queueCountsLine(before)).toBe("role 1 waiting on a parent · jobs of 6 queues not yet counted by pg-boss's monitor · 1 dead-lettered");

    await boss.supervise();
    const counted = await queueCountsRead(database.db);
    expect(counted.queues.role).toEqual({
      ready: 2,
      deferred: 1,
      active: 1,
      countedAgeSeconds: expect.any(Number),
      waitingOnParent: 1,
      oldestWaitSeconds: expect.any(Number),
      deadLettered: 1,
    });
    expect(counted.queues.role!.countedAgeSeconds).toBeLessThan(60);
    expect(counted.queues.school).toMatchObject({ ready: 0, deferred: 0, active: 0, deadLettered: 0 });
    expect(counted.deadLettered).toBe(1);
    expect(queueCountsLine(counted)).toBe('role 2 ready, 1 deferred, 1 active, 1 waiting on a parent · 1 dead-lettered');

    // Cached: a job sent after the count is not in it until the monitor's next pass.
    await boss.send(role, { roleId: 4 }, { singletonKey: 'f' });
    expect((await queueCountsRead(database.db)).queues.role!.ready).toBe(2);
  });
});
