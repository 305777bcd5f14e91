/**
 * The worker's resident memory (RSS), side by side in one run with a bare pg-boss worker on the
 * same Node and database: idle once started, and the peak while it works off a 100,000-job backlog
 * (a school sync each: one mirror row written per job). Runs the installed command as users get it,
 * `bin/connect-sync.js worker` on the compiled build (`npm run bench` builds first); for reference
 * also the idle RSS of `node src/cli.ts worker` (TypeScript sources, no resolve hook, default V8 heap).
 * Goal: idle ≤ 120 MB, peak ≤ 200 MB.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { editor } from '../src/editor/objects/editor.ts';
import { silentLogger } from '../src/log.ts';
import { bossCreate } from '../src/queue/boss.ts';
import type { Database } from '../src/db/database.ts';
import { benchDatabaseCreate } from './bench-database.ts';

const backlog = 100_000;
const idleWindowMs = 5_000;
const root = fileURLToPath(new URL('..', import.meta.url));
const bareQueue = 'bench-bare';

interface WorkerMemory {
  idleRssMb: number;
  peakRssMb?: number;
  drainSeconds?: number;
}

export interface WorkerMemoryResult {
  node: string;
  backlog: number;
  connectSync: WorkerMemory;
  barePgBoss: WorkerMemory;
  connectSyncFromSourceIdle: WorkerMemory;
  ratios: { idle: number; peak: number };
  server: string;
}

/** Runs the measurements; see the file comment. */
export async function workerMemoryBenchmark(): Promise<WorkerMemoryResult> {
  const bench = await benchDatabaseCreate('connect_sync_bench_memory');
  try {
    const { database } = bench;
    await database.pool.query(
      `INSERT INTO schools (id, name, creator_id) SELECT md5('s' || n)::uuid, 'School ' || n, md5('u' || n)::uuid FROM generate_series(1, ${backlog}) n`,
    );
    const env = {
      ...process.env,
      DATABASE_URL: database.url,
      DATABASE_SSL: 'off',
      SALESFORCE_ENABLED: 'true',
      RECONCILER_CRON: 'off',
      WORKER_SUMMARY_SECONDS: '0',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
    };
    // Sync queues are singleton per record (the singleton key), so each job names its school.
    const fromSource = await workerMeasure([process.execPath, 'src/cli.ts', 'worker'], env, 'sync workers started');
    const connectSync = await workerMeasure([process.execPath, 'bin/connect-sync.js', 'worker'], env, 'sync workers started', () =>
      backlogInsert(database, editor.queueName, (n) => ({ data: { schoolId: uuidOf(n) }, singletonKey: uuidOf(n) })),
    );
    const bare = await workerMeasure([process.execPath, 'bench/bare-pgboss-worker.mjs', bareQueue], env, 'ready', () =>
      backlogInsert(database, bareQueue, (n) => ({ data: { n } })),
    );
    const mirrored = await database.pool.query<{ count: string }>('SELECT count(*) FROM salesforce.editor__c');
    if (Number(mirrored.rows[0]?.count) !== backlog) throw new Error(`expected ${backlog} mirror rows, found ${mirrored.rows[0]?.count}`);
    return {
      node: process.version,
      backlog,
      connectSync,
      barePgBoss: bare,
      connectSyncFromSourceIdle: fromSource,
      ratios: { idle: round(connectSync.idleRssMb / bare.idleRssMb), peak: round(connectSync.peakRssMb! / bare.peakRssMb!) },
      server: bench.server,
    };
  } finally {
    await bench.drop();
  }
}

const round = (value: number) => Math.round(value * 100) / 100;

// The schools the seed made, by number: md5('s' || n)::uuid.
function uuidOf(n: number): string {
  const hex = createHash('md5').update(`s${n}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Inserts `backlog` jobs into `queue` from this process, then waits until the worker has done them all. */
async function backlogInsert(database: Database, queue: string, job: (n: number) => { data: object; singletonKey?: string }): Promise<void> {
  const boss = bossCreate(database, silentLogger, { poolSize: 2 });
  await boss.start();
  try {
    for (let start = 1; start <= backlog; start += 10_000) {
      const jobs = Array.from({ length: Math.min(10_000, backlog - start + 1) }, (_, i) => job(start + i));
      await boss.insert(queue, jobs);
    }
  } finally {
    await boss.stop({ graceful: false });
  }
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    const { rows } = await database.pool.query<{ open: string }>(
      `SELECT count(*) AS open FROM pgboss.job WHERE name = $1 AND state IN ('created', 'retry', 'active')`,
      [queue],
    );
    if (Number(rows[0]?.open) === 0) return;
    if (Date.now() > deadline) throw new Error(`${queue}: ${rows[0]?.open} jobs still open after 15 minutes`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Starts `command`, waits for `readyText`, samples RSS while idle, runs `work` (if any), reads the peak, stops it. */
async function workerMeasure(command: string[], env: NodeJS.ProcessEnv, readyText: string, work?: () => Promise<void>): Promise<WorkerMemory> {
  const [file, ...args] = command as [string, ...string[]];
  const child = spawn(file, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    await outputWait(child, readyText);
    const samples: number[] = [];
    const until = Date.now() + idleWindowMs;
    while (Date.now() < until) {
      samples.push(procStatusMb(child.pid!, 'VmRSS'));
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const idleRssMb = Math.max(...samples);
    if (!work) return { idleRssMb };
    const started = performance.now();
    await work();
    return { idleRssMb, peakRssMb: procStatusMb(child.pid!, 'VmHWM'), drainSeconds: round((performance.now() - started) / 1000) };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

function outputWait(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`no "${text}" within 60 s: ${output.slice(-500)}`)), 60_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => reject(new Error(`exited ${code} before "${text}": ${output.slice(-500)}`)));
  });
}

// RSS figures from /proc (Linux): VmRSS now, VmHWM the peak since the process image started.
function procStatusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((entry) => entry.startsWith(`${field}:`));
  return Math.round(Number(line?.split(/\s+/)[1]) / 1024);
}
