/** A database, queue and running sync workers for one test file. */
import type { Logger } from 'pino';
import { silentLogger } from '../../src/log.ts';
import { syncEnqueuer } from '../../src/queue/enqueue.ts';
import { syncWorkStart, type SyncWorkerOptions } from '../../src/queue/sync-worker.ts';
import { testDatabase } from './database.ts';
import { testBoss } from './queue.ts';
import { editorObjectSet } from './editor.ts';

export async function testSyncWorker(options: Partial<SyncWorkerOptions> & { log?: Logger } = {}) {
  const database = await testDatabase();
  const boss = await testBoss(database);
  const { log = silentLogger, ...workerOptions } = options;
  await syncWorkStart(boss, database.db, editorObjectSet, log, { enabled: true, pollingIntervalSeconds: 0.5, ...workerOptions });
  const sync = syncEnqueuer(editorObjectSet, { enabled: true });
  return { database, boss, sync, app: { db: database.db, sync } };
}
