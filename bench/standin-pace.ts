/**
 * The Connect stand-in beside the worker under a steady load. For a fixed window an app enqueues
 * `rate` jobs a second (half schools, half their classes, each class waiting on its school's
 * Editor__c), a `connect-sync worker` process syncs them, and a `connect-sync connect-sim
 * --time-scale 1/60` process pushes what the worker writes (and so lets the classes go). Each rate
 * runs twice, side by side in one run: the stand-in sending one entry per round (one transaction
 * and a round trip per statement per row, as it pushed before it went set-wise) and set-wise
 * (rounds of up to 1,000 entries, a few statements per object). When the window closes: the
 * stand-in's lag (trigger-log entries not yet sent, and the age of the oldest) and the worker's.
 * `node bench/standin-pace.ts [seconds] [rate…]` runs other windows and rates (after `npm run build`).
 */
import pg from 'pg';
import { connectSimInstall } from '../src/connect-sim/install.ts';
import { classroom } from '../src/editor/objects/classroom.ts';
import { editor } from '../src/editor/objects/editor.ts';
import { editorConfig } from '../src/editor/preset.ts';
import { silentLogger } from '../src/log.ts';
import { benchDatabaseCreate } from './bench-database.ts';
import { processSupervise } from './soak-processes.ts';

/** One run: a rate and a way of pushing. */
export interface StandInPaceRun {
  jobsPerSecond: number;
  /** Entries per push round: 1 is the serial push, 1000 the set-wise default. */
  pushRoundSize: number;
  /** Jobs the app enqueued in the window. */
  enqueued: number;
  /** Trigger-log entries the app's mirror writes logged, and how many the stand-in sent (none failed). */
  logged: number;
  sent: number;
  failed: number;
  /** When the window closed: entries not yet sent, and how long the oldest had waited (s). */
  backlog: number;
  oldestSeconds: number;
  /** The largest oldest-entry age seen during the window (s), sampled each second. */
  oldestSecondsMax: number;
  /** When the window closed: the worker's jobs due and not done, and those waiting on a parent. */
  workerDue: number;
  workerWaiting: number;
}

export interface StandInPaceResult {
  windowSeconds: number;
  timeScale: string;
  runs: StandInPaceRun[];
  server: string;
}

const timeScale = '1/60';
const roundSizes = [1, 1000];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function standInPaceBenchmark(windowSeconds = 30, rates = [200, 400, 800]): Promise<StandInPaceResult> {
  const runs: StandInPaceRun[] = [];
  let server = '';
  for (const jobsPerSecond of rates) {
    for (const pushRoundSize of roundSizes) {
      const bench = await benchDatabaseCreate('connect_sync_bench_standin');
      server = bench.server;
      try {
        await connectSimInstall(bench.database, editorConfig.objects, silentLogger);
        runs.push(await paceRun(bench.database.url, { jobsPerSecond, pushRoundSize, windowSeconds }));
      } finally {
        await bench.drop();
      }
    }
  }
  return { windowSeconds, timeScale, runs, server };
}

async function paceRun(url: string, options: { jobsPerSecond: number; pushRoundSize: number; windowSeconds: number }): Promise<StandInPaceRun> {
  const env = { DATABASE_URL: url, LOG_FORMAT: 'json', WORKER_SUMMARY_SECONDS: '0' };
  const standIn = await processSupervise(['connect-sim', '--time-scale', timeScale, '--push-round-size', String(options.pushRoundSize)], env, 'Connect stand-in started');
  const worker = await processSupervise(['worker'], env, 'sync workers started');
  const app = new pg.Pool({ connectionString: url, max: 2 });
  try {
    let enqueued = 0;
    let oldestSecondsMax = 0;
    const started = Date.now();
    const stopAt = started + options.windowSeconds * 1000;
    let nextSample = started + 1000;
    // Every 100 ms, the schools (and their classes) due by then, in one app transaction.
    for (let schools = 0; Date.now() < stopAt; await sleep(100)) {
      const due = Math.floor(((Date.now() - started) / 1000) * (options.jobsPerSecond / 2)) - schools;
      if (due > 0) {
        enqueued += await schoolsEnqueue(app, due);
        schools += due;
      }
      if (Date.now() >= nextSample) {
        oldestSecondsMax = Math.max(oldestSecondsMax, (await standInLag(app)).oldestSeconds);
        nextSample += 1000;
      }
    }
    const lag = await standInLag(app);
    const { rows } = await app.query<{ logged: number; sent: number; failed: number; due: number; waiting: number }>(
      `SELECT (SELECT count(*) FROM salesforce._trigger_log) + (SELECT count(*) FROM salesforce._trigger_log_archive) AS logged,
              (SELECT count(*) FROM salesforce._trigger_log_archive) AS sent,
              (SELECT count(*) FROM salesforce._trigger_log WHERE state = 'FAILED') AS failed,
              (SELECT count(*) FROM pgboss.job WHERE name = ANY($1) AND (state IN ('active', 'retry') OR (state = 'created' AND start_after <= now()))) AS due,
              (SELECT count(*) FROM pgboss.job WHERE name = ANY($1) AND state = 'created' AND start_after > now()) AS waiting`,
      [[editor.queueName, classroom.queueName]],
    );
    const counts = rows[0]!;
    return {
      jobsPerSecond: options.jobsPerSecond,
      pushRoundSize: options.pushRoundSize,
      enqueued,
      logged: Number(counts.logged),
      sent: Number(counts.sent),
      failed: Number(counts.failed),
      backlog: lag.backlog,
      oldestSeconds: lag.oldestSeconds,
      oldestSecondsMax: Math.max(oldestSecondsMax, lag.oldestSeconds),
      workerDue: Number(counts.due),
      workerWaiting: Number(counts.waiting),
    };
  } finally {
    await app.end();
    await worker.stop();
    await standIn.stop();
  }
}

/** `count` schools, each with a class, and a sync job for each, as the app enqueues them. */
async function schoolsEnqueue(app: pg.Pool, count: number): Promise<number> {
  const { rows } = await app.query<{ jobs: number }>(
    `WITH school AS (INSERT INTO schools (name, creator_id) SELECT 'Bench school', gen_random_uuid() FROM generate_series(1, $1::int) RETURNING id),
          class AS (INSERT INTO school_classes (school_id, name) SELECT id, 'Bench class' FROM school RETURNING id),
          job AS (SELECT connect_sync.sync_enqueue($2, jsonb_build_object('schoolId', id::text, 'isCreate', true), id::text) FROM school
                  UNION ALL
                  SELECT connect_sync.sync_enqueue($3, jsonb_build_object('schoolClassId', id::text), id::text) FROM class)
     SELECT count(*)::int AS jobs FROM job`,
    [count, editor.queueName, classroom.queueName],
  );
  return rows[0]!.jobs;
}

/** Trigger-log entries waiting to be sent, and how long the oldest has waited (s). */
async function standInLag(app: pg.Pool): Promise<{ backlog: number; oldestSeconds: number }> {
  const { rows } = await app.query<{ backlog: number; oldest: number | null }>(
    `SELECT count(*)::int AS backlog, extract(epoch FROM now() - min(created_at))::float8 AS oldest FROM salesforce._trigger_log WHERE state = 'NEW'`,
  );
  return { backlog: rows[0]!.backlog, oldestSeconds: Math.round((rows[0]!.oldest ?? 0) * 10) / 10 };
}

if (import.meta.main) {
  const [seconds, ...rates] = process.argv.slice(2).map(Number);
  process.stdout.write(`${JSON.stringify(await standInPaceBenchmark(seconds, rates.length > 0 ? rates : undefined), null, 2)}\n`);
}
