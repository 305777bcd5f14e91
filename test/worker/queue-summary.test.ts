/** The worker's one-line summary counts jobs waiting, retrying and running per sync queue. */
import { describe, expect, it } from 'vitest';
import { queueDepthsLine, queueDepthsRead } from '../../src/worker/queue-summary.ts';
import { testDatabase } from '../support/database.ts';
import { testBoss } from '../support/queue.ts';

const database = await testDatabase();
const boss = await testBoss(database);

describe('the queue summary', () => {
  it('says all queues are idle, then counts each state per queue', async () => {
    expect(queueDepthsLine(await queueDepthsRead(database.db))).toBe('all sync queues idle');
    for (const key of ['a', 'b', 'c']) await boss.send('salesforce-sync.role', { roleId: 1 }, { singletonKey: key });
    await boss.send('salesforce-sync.school', { schoolId: 'x' }, { singletonKey: 'x' });
    const [fetched] = await boss.fetch('salesforce-sync.role');
    await boss.fail('salesforce-sync.role', fetched!.id, { message: 'waiting' });
    await boss.fetch('salesforce-sync.role');
    await boss.send('salesforce-sync.dead-letter', { not: 'counted' });

    const depths = await queueDepthsRead(database.db);
    expect(depths).toEqual({
      queues: { role: { waiting: 1, retrying: 1, active: 1 }, school: { waiting: 1, retrying: 0, active: 0 } },
      deadLettered: 1,
    });
    expect(queueDepthsLine(depths)).toBe('role 1 waiting, 1 retrying, 1 active · school 1 waiting, 0 retrying, 0 active · 1 dead-lettered');
  });
});
