/** The worker's one-line summary: per sync queue, jobs queued, records waiting on a parent, retries and running jobs. */
import { describe, expect, it } from 'vitest';
import { queueDepthsLine, queueDepthsRead } from '../../src/worker/queue-summary.ts';
import { testDatabase } from '../support/database.ts';
import { testBoss } from '../support/queue.ts';

const database = await testDatabase();
const boss = await testBoss(database);

describe('the queue summary', () => {
  it('says all queues are idle, then counts each kind of unfinished work per queue', async () => {
    expect(queueDepthsLine(await queueDepthsRead(database.db))).toBe('all sync queues idle');
    for (const key of ['a', 'b', 'c']) await boss.send('salesforce-sync.role', { roleId: 1 }, { singletonKey: key });
    await boss.send('salesforce-sync.school', { schoolId: 'x' }, { singletonKey: 'x' });
    const [fetched] = await boss.fetch('salesforce-sync.role');
    await boss.fail('salesforce-sync.role', fetched!.id, { message: 'a lost connection' });
    await boss.fetch('salesforce-sync.role');
    // A record whose job waits for its parent: its successor is deferred, and the wait is recorded.
    await boss.send('salesforce-sync.role', { roleId: 2 }, { singletonKey: 'd', startAfter: 3600 });
    await database.pool.query(`INSERT INTO connect_sync.parent_wait (queue, record_key, parent, parent_key) VALUES ('salesforce-sync.role', 'd', 'Editor__c', 'e')`);
    await boss.send('salesforce-sync.dead-letter', { not: 'counted' });

    const depths = await queueDepthsRead(database.db);
    expect(depths).toEqual({
      queues: {
        role: { queued: 1, waitingOnParent: 1, retrying: 1, active: 1, deferred: 1, oldestWaitSeconds: expect.any(Number) },
        school: { queued: 1, waitingOnParent: 0, retrying: 0, active: 0, deferred: 0, oldestWaitSeconds: 0 },
      },
      deadLettered: 1,
      deadLetteredByQueue: {},
    });
    expect(queueDepthsLine(depths)).toBe(
      'role 1 queued, 1 waiting on a parent, 1 retrying, 1 active · school 1 queued, 0 waiting on a parent, 0 retrying, 0 active · 1 dead-lettered',
    );
  });
});
