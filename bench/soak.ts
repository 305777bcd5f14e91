/**
 * The soak: for a bounded time, an app creates schools and their classes (a Classroom__c waits on
 * its school's Editor__c) and enqueues their syncs in its own transactions, a worker process
 * syncs them and the Connect stand-in gives the mirror rows their sfids, while every
 * `faultEverySeconds` every connection to the database is terminated, or (every third fault) the
 * server restarts. Then, once the queues have drained: every record's mirror row exactly once,
 * no job stuck, failed or left queued for later, and no process crash. The server is the soak's own (embedded, a temp
 * folder), so restarting it disturbs nothing else.
 */
import pg from 'pg';
import { poolConnectionsGuard } from '../src/db/connection-loss.ts';
import { classroom } from '../src/editor/objects/classroom.ts';
import { editor } from '../src/editor/objects/editor.ts';
import { editorConfig } from '../src/editor/preset.ts';
import { ownServerOpen } from '../test/reliability/own-server.ts';
import { processSupervise } from './soak-processes.ts';

export interface SoakOptions {
  minutes: number;
  faultEverySeconds: number;
  /** App operations a second (each a school and a class, two jobs). */
  operationsPerSecond?: number;
  /** Progress lines. */
  progress?: (line: string) => void;
}

export interface SoakReport {
  minutes: number;
  faultEverySeconds: number;
  appOperations: number;
  appOperationsFailed: number;
  jobs: number;
  terminations: number;
  backendsTerminated: number;
  serverRestarts: number;
  records: number;
  missingRows: number;
  duplicateRows: number;
  stuckJobs: number;
  failedJobs: number;
  /**
   * Jobs still queued, due later, once every record is written: successors the batch that wrote
   * their record should have settled as superseded. They would run for nothing, hours later.
   */
  queuedLater: number;
  drainSeconds: number;
  workerCrashes: number;
  standInCrashes: number;
  workerRssIdleMb: number;
  workerRssPeakMb: number;
  workerLogLines: number;
  ok: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function soakRun(options: SoakOptions): Promise<SoakReport> {
  const progress = options.progress ?? (() => undefined);
  const operationsPerSecond = options.operationsPerSecond ?? 10;
  const server = await ownServerOpen({}, { poolSize: 4 });
  const { database } = server;
  const queues = editorConfig.objects.objects.map((object) => object.queueName);
  const env = { DATABASE_URL: database.url, LOG_FORMAT: 'json', WORKER_SUMMARY_SECONDS: '0' };
  const standIn = await processSupervise(['connect-sim', '--time-scale', '1/60'], env, 'Connect stand-in started');
  const worker = await processSupervise(['worker'], env, 'sync workers started');
  try {
    // Idle memory: the worker started, nothing to do yet.
    let idle = 0;
    for (let sample = 0; sample < 10; sample++, await sleep(500)) idle = Math.max(idle, worker.rssMb() ?? 0);
    let peak = idle;

    const stopAt = Date.now() + options.minutes * 60_000;
    let operations = 0;
    let failed = 0;
    // The app: a few connections, each a transaction per operation, at the rate asked for.
    const app = new pg.Pool({ connectionString: database.url, max: 4 });
    poolConnectionsGuard(app);
    const appLoop = async () => {
      while (Date.now() < stopAt) {
        const client = await app.connect().catch(() => undefined);
        if (!client) {
          failed += 1;
          await sleep(500);
          continue;
        }
        try {
          await client.query('BEGIN');
          const school = await client.query<{ id: string }>(`INSERT INTO schools (name, creator_id) VALUES ('Soak school', gen_random_uuid()) RETURNING id`);
          const schoolId = school.rows[0]!.id;
          const schoolClass = await client.query<{ id: string }>(`INSERT INTO school_classes (school_id, name) VALUES ($1, 'Soak class') RETURNING id`, [schoolId]);
          const classId = schoolClass.rows[0]!.id;
          await client.query(`SELECT connect_sync.sync_enqueue($1, jsonb_build_object('schoolId', $2::text, 'isCreate', true), $2::text)`, [editor.queueName, schoolId]);
          await client.query(`SELECT connect_sync.sync_enqueue($1, jsonb_build_object('schoolClassId', $2::text), $2::text)`, [classroom.queueName, classId]);
          await client.query('COMMIT');
          operations += 1;
        } catch {
          // A fault: the transaction is gone, and with it the records and their jobs. The app goes on.
          failed += 1;
          await client.query('ROLLBACK').catch(() => undefined);
        } finally {
          client.release();
        }
        await sleep((4 * 1000) / operationsPerSecond);
      }
    };
    const appDone = Promise.all(Array.from({ length: 4 }, appLoop));

    // The faults, and the worker's memory between them.
    let terminations = 0;
    let backendsTerminated = 0;
    let restarts = 0;
    for (let fault = 1, nextFault = Date.now() + options.faultEverySeconds * 1000; Date.now() < stopAt; ) {
      await sleep(500);
      peak = Math.max(peak, worker.rssMb() ?? 0);
      if (Date.now() < nextFault) continue;
      if (fault % 3 === 0) {
        progress(`fault ${fault}: server restart`);
        await server.stop();
        await sleep(1000);
        await server.start();
        restarts += 1;
      } else {
        const observer = new pg.Client({ connectionString: database.url });
        await observer.connect();
        const { rows } = await observer.query<{ n: number }>(
          `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
        );
        await observer.end();
        terminations += 1;
        backendsTerminated += rows[0]!.n;
        progress(`fault ${fault}: ${rows[0]!.n} backends terminated`);
      }
      fault += 1;
      nextFault = Date.now() + options.faultEverySeconds * 1000;
    }
    await appDone;
    await app.end();
    progress(`${operations} app operations (${failed} failed by faults); draining`);

    // Drained: every record has its mirror row, and no job is left to run now.
    const count = async (query: string, values: unknown[] = []) => (await database.pool.query<{ n: number }>(query, values)).rows[0]!.n;
    const missing = () =>
      count(`SELECT ((SELECT count(*) FROM schools s WHERE NOT EXISTS (SELECT 1 FROM salesforce.editor__c m WHERE m.editoruuid__c = s.id::text))
                   + (SELECT count(*) FROM school_classes c WHERE NOT EXISTS (SELECT 1 FROM salesforce.classroom__c m WHERE m.classroomuuid__c = c.id::text)))::int AS n`);
    const runnable = () =>
      count(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = ANY($1) AND (state IN ('active', 'retry') OR (state = 'created' AND start_after <= now()))`, [queues]);
    const drainStarted = Date.now();
    while (Date.now() - drainStarted < 180_000 && ((await missing()) > 0 || (await runnable()) > 0)) {
      peak = Math.max(peak, worker.rssMb() ?? 0);
      await sleep(1000);
    }
    const drainSeconds = Math.round((Date.now() - drainStarted) / 1000);

    const report: SoakReport = {
      minutes: options.minutes,
      faultEverySeconds: options.faultEverySeconds,
      appOperations: operations,
      appOperationsFailed: failed,
      jobs: await count(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = ANY($1)`, [queues]),
      terminations,
      backendsTerminated,
      serverRestarts: restarts,
      records: await count(`SELECT ((SELECT count(*) FROM schools) + (SELECT count(*) FROM school_classes))::int AS n`),
      missingRows: await missing(),
      duplicateRows: await count(
        `SELECT ((SELECT count(*) - count(DISTINCT editoruuid__c) FROM salesforce.editor__c) + (SELECT count(*) - count(DISTINCT classroomuuid__c) FROM salesforce.classroom__c))::int AS n`,
      ),
      stuckJobs: await runnable(),
      failedJobs: await count(`SELECT count(*)::int AS n FROM pgboss.job WHERE state = 'failed'`),
      queuedLater: await count(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = ANY($1) AND state = 'created' AND start_after > now()`, [queues]),
      drainSeconds,
      workerCrashes: worker.crashes(),
      standInCrashes: standIn.crashes(),
      workerRssIdleMb: idle,
      workerRssPeakMb: peak,
      workerLogLines: worker.lines(),
      ok: false,
    };
    report.ok =
      report.missingRows === 0 && report.duplicateRows === 0 && report.stuckJobs === 0 && report.failedJobs === 0 && report.queuedLater === 0 && report.workerCrashes === 0;
    if (report.workerCrashes > 0) progress(`worker output before its last crash: ${worker.tail()}`);
    return report;
  } finally {
    await worker.stop();
    await standIn.stop();
    await server.remove();
  }
}
