/**
 * `npm run bench`: every benchmark, one after another, each on a database of its own. Figures are
 * from one run on this machine; compare ratios, not absolute times (see BENCHMARKS.md).
 */
import { doctorBenchmark } from './doctor.ts';
import { syncThroughputBenchmark } from './sync-throughput.ts';
import { workerMemoryBenchmark } from './worker-memory.ts';

const benchmarks: { name: string; run: () => Promise<object> }[] = [
  { name: 'sync throughput, batched against one job at a time', run: syncThroughputBenchmark },
  { name: 'doctor over 1 million mirror rows', run: doctorBenchmark },
  { name: 'worker memory (RSS), idle and over a 100,000-job backlog, against a bare pg-boss worker', run: workerMemoryBenchmark },
];

for (const benchmark of benchmarks) {
  process.stdout.write(`${benchmark.name} …\n`);
  const result = await benchmark.run();
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
