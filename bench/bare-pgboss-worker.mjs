// The baseline for bench/worker-memory.ts: a bare pg-boss 12 worker in plain JavaScript, polling
// one queue 50 jobs at a time with a handler that does nothing. Prints "ready" once working.
// Usage: DATABASE_URL=… node bench/bare-pgboss-worker.mjs <queue>
import { PgBoss } from 'pg-boss';

const queue = process.argv[2];
const boss = new PgBoss({ connectionString: process.env.DATABASE_URL, schema: 'pgboss', max: 10, supervise: true, useListenNotify: true });
boss.on('error', (error) => console.error(error.message));
await boss.start();
if (!(await boss.getQueue(queue))) await boss.createQueue(queue);
await boss.work(queue, { batchSize: 50, burstWhenBatchFull: true, pollingIntervalSeconds: 2 }, async () => undefined);
console.log('ready');
process.once('SIGTERM', () => void boss.stop({ graceful: true, timeout: 10_000 }));
