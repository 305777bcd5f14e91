/** The exact queue depths (the overview, doctor --check): per sync queue, jobs queued, records waiting on a parent, retries and running jobs. */
import { describe, expect, it } from 'vitest';
import { queueDepthsRead } from '../../src/worker/queue-depths.ts';
import { testDatabase } from '../support/database.ts';
import { testBoss } from '../support/queue.ts';

const database = await testDatabase();
const boss = await testBoss(database);

describe('the queue depths', () => {
  it('says all queues are idle, then counts each kind of unfinished work per queue', async () => {
    expect(await queueDepthsRead(database.db)).toEqual({ queues: {}, deadLettered: 0, deadLetteredByQueue: {} });
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
  });
});
