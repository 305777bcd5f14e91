// The sync worker in a process of its own, on the app's own pg-boss; stops on SIGTERM.
import { appOpen } from './sync.js';

const app = await appOpen();
const worker = await app.sync.workerStart({ pollingIntervalSeconds: 0.5 });
console.log(JSON.stringify({ msg: 'worker started' }));
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, async () => {
    await worker.stop();
    await app.close();
    console.log(JSON.stringify({ msg: 'worker stopped' }));
  });
}
