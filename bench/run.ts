/**
 * `npm run bench`: every benchmark, one after another, each on a database of its own. Figures are
 * from one run on this machine; compare ratios, not absolute times (see BENCHMARKS.md).
 */
import { cpus, totalmem } from 'node:os';
import { bulkEnqueueBenchmark } from './bulk-enqueue.ts';
import { doctorBenchmark } from './doctor.ts';
import { drainBenchmark } from './drain.ts';
import { enqueueOverheadBenchmark } from './enqueue-overhead.ts';
import { metricsBenchmark } from './metrics.ts';
import { standInPaceBenchmark } from './standin-pace.ts';
import { syncThroughputBenchmark } from './sync-throughput.ts';
import { wakeLatencyBenchmark } from './wake-latency.ts';
import { wakeWaveBenchmark } from './wake-wave.ts';
import { workerMemoryBenchmark } from './worker-memory.ts';

const benchmarks: { name: string; run: () => Promise<object> }[] = [
  { name: 'enqueue overhead: an app transaction with and without its enqueue', run: enqueueOverheadBenchmark },
  { name: 'bulk enqueue: 20,000 jobs in one insert into a freshly analyzed queue, record-key trigger on and off', run: bulkEnqueueBenchmark },
  { name: 'drain: the sync worker against a bare pg-boss no-op worker, and waiting jobs re-timed', run: drainBenchmark },
  { name: 'wake latency: parent sfid → child written, with the waker and with the backoff only', run: wakeLatencyBenchmark },
  { name: 'wake wave: 1,000 parents land at once beside 50,000 pending jobs, one waker tick, with and without connect-sync\'s job indexes', run: wakeWaveBenchmark },
  { name: 'sync throughput, batched against one job at a time', run: syncThroughputBenchmark },
  { name: 'doctor over 1 million mirror rows', run: doctorBenchmark },
  { name: 'metrics: their cost to the worker (directly, and the drain with and without them in alternating rounds), and a scrape beside an empty queue and 1,000,000 ready jobs', run: metricsBenchmark },
  { name: 'stand-in pace: the worker and the Connect stand-in under 200, 400 and 800 jobs/s, the stand-in pushing one entry at a time and set-wise', run: () => standInPaceBenchmark() },
  { name: 'worker memory (RSS), idle and over a 100,000-job backlog, against a bare pg-boss worker', run: workerMemoryBenchmark },
];

const only = process.argv.slice(2);
const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
process.stdout.write(`machine: ${machine}\n`);
for (const benchmark of benchmarks) {
  if (only.length > 0 && !only.some((word) => benchmark.name.startsWith(word))) continue;
  process.stdout.write(`${benchmark.name} …\n`);
  const result = await benchmark.run();
  process.stdout.write(`${JSON.stringify({ ...result, machine }, null, 2)}\n`);
}
