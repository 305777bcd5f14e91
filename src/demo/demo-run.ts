/**
 * One demo run: a fresh database laid out like Heroku Connect's, the Connect stand-in pushing
 * Editors late (so a role's job runs before its school is in Salesforce), the worker with the
 * parent guard on or off, and the workload driven through the app's own transactions.
 */
import { schoolCreate, schoolUpdate } from '../editor/operations/schools.ts';
import { ConnectSim } from '../connect-sim/connect-sim.ts';
import { devDatabasePrepare } from '../connect-sim/dev-database.ts';
import { databaseRecreate, databaseUrlFor } from '../db/database-admin.ts';
import { databaseConnect, type Database } from '../db/database.ts';
import type { Logger } from '../log.ts';
import { editorConfig } from '../editor/preset.ts';
import { syncEnqueuer } from '../queue/enqueue.ts';
import { workerStart } from '../worker/worker-process.ts';
import { DemoObserver } from './demo-observer.ts';
import { affiliationsRead, connectBacklog, exhaustedRead, percentile, syncJobsProgress, type DemoOutcome } from './demo-measure.ts';
import type { DemoWorkload } from './demo-workload.ts';

export interface DemoRunOptions {
  guard: boolean;
  workload: DemoWorkload;
  /** Multiplies every simulated interval: Connect's polls, its push delays, the retry schedule. */
  timeScale: number;
  log: Logger;
  /** Told of settled and total sync jobs as the run goes. */
  onProgress?: (settled: number, total: number) => void;
  /** Gives up waiting for the run to settle after this long. */
  deadlineMs?: number;
  /** The run's database is `<prefix>_guard_on` or `_guard_off`, created afresh. */
  databasePrefix?: string;
}

const config = editorConfig;

/** Connect pushes a new Editor__c up to 11 minutes after it is written (simulated time). */
const editorPushDelay = { delaySeconds: 0, jitterSeconds: 660 };
const observeEveryMs = 100;

/** Runs the workload once on a fresh database next to `server`; returns what it measured. */
export async function demoRun(server: Pick<Database, 'url' | 'ssl'>, options: DemoRunOptions): Promise<DemoOutcome> {
  const { guard, workload, timeScale, log } = options;
  const name = `${options.databasePrefix ?? 'connect_sync_demo'}_guard_${guard ? 'on' : 'off'}`;
  await databaseRecreate(server.url, name, { ssl: server.ssl });
  const database = await databaseConnect(databaseUrlFor(server.url, name), server.ssl);
  const runLog = log.child({ run: guard ? 'guard on' : 'guard off' });
  try {
    await devDatabasePrepare(database, config, runLog);
    const sim = new ConnectSim(database, config.objects, {
      timeScale,
      pushDelaySeconds: { [editorObjectName]: editorPushDelay.delaySeconds },
      pushJitterSeconds: { [editorObjectName]: editorPushDelay.jitterSeconds },
      log: runLog,
    });
    await sim.start();
    try {
      return await workloadDrive(database, sim, options, runLog);
    } finally {
      await sim.stop();
    }
  } finally {
    await database.close();
  }
}

const editorObjectName = 'Editor__c';

async function workloadDrive(database: Database, sim: ConnectSim, options: DemoRunOptions, log: Logger): Promise<DemoOutcome> {
  const { guard, workload, timeScale } = options;
  const started = Date.now();
  // Contacts already in Salesforce before the first school is created.
  const present = [...workload.contacts].filter(([, fate]) => fate.kind === 'present').map(([userId]) => userId);
  for (const userId of present) sim.contacts.schedule(userId, { lagSeconds: 0 });
  await sim.drain();

  const worker = await workerStart(
    database,
    config,
    log,
    // The waker at its production interval: a waiting child is written within a second or so of
    // its parent in real time, while the backoff behind it runs on the shrunk schedule.
    { enabled: true, summarySeconds: 0, reconcilerCron: 'off', timeScale, parentGuard: guard, pollingIntervalSeconds: 0.5, parentWakeSeconds: 0.5 },
  );
  const observer = new DemoObserver(database.db);
  try {
    for (const [userId, fate] of workload.contacts) {
      if (fate.kind === 'late') sim.contacts.schedule(userId, { lagSeconds: fate.lagSeconds });
      if (fate.kind === 'never') sim.contacts.never(userId);
    }
    const app = { db: database.db, sync: syncEnqueuer(config.objects, { enabled: true }) };
    const affiliations: { roleId: string; schoolId: string; userId: string }[] = [];
    for (const school of workload.schools) {
      const members = [...school.staff, ...school.students.map((userId) => ({ userId, role: 'student' as const }))];
      const created = await schoolCreate(app, { name: school.name, creatorId: school.creatorId }, members);
      if (school.rejected) await schoolUpdate(app, created.id, { rejectedAt: new Date() });
      else await schoolUpdate(app, created.id, { verifiedAt: new Date() });
      const { rows } = await database.pool.query<{ id: string; user_id: string }>(
        `SELECT id::text, user_id FROM roles WHERE school_id = $1 AND role <> 'student'`,
        [created.id],
      );
      for (const row of rows) affiliations.push({ roleId: row.id, schoolId: created.id, userId: row.user_id });
    }
    await settled(database, sim, observer, options);
    const found = await affiliationsRead(database.db);
    const jobs = await syncJobsProgress(database.db);
    const exhaustedMessages = await exhaustedRead(database.db);
    const timings = observer.parentToChildSeconds(affiliations);
    const written = observer.parentToChildSeconds(affiliations, 'written');
    return {
      affiliationsExpected: affiliations.filter(({ userId }) => workload.contacts.get(userId)?.kind !== 'never').length,
      affiliationsLanded: found.landed,
      fkFailed: { editor: found.failedEditor, contact: found.failedContact },
      retries: jobs.retries,
      waits: jobs.waits,
      exhausted: exhaustedMessages.length,
      exhaustedMessages,
      parentToChildSeconds: { p50: percentile(timings, 50), p99: percentile(timings, 99) },
      parentToChildWrittenSeconds: guard ? { p50: percentile(written, 50), p99: percentile(written, 99) } : null,
      runSeconds: Math.round((Date.now() - started) / 100) / 10,
    };
  } finally {
    await worker.stop(2000);
  }
}

/** Waits until every sync job has settled and Connect has sent everything, twice in a row. */
async function settled(database: Database, sim: ConnectSim, observer: DemoObserver, options: DemoRunOptions): Promise<void> {
  const deadline = Date.now() + (options.deadlineMs ?? 120_000);
  let quietPasses = 0;
  while (quietPasses < 2) {
    if (Date.now() > deadline) throw new Error(`the demo run did not settle within ${(options.deadlineMs ?? 120_000) / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, observeEveryMs));
    await observer.observe();
    const jobs = await syncJobsProgress(database.db);
    options.onProgress?.(jobs.settled, jobs.total);
    const idle = jobs.settled === jobs.total && (await connectBacklog(database.db)) === 0 && sim.contacts.nextDueAt() === undefined;
    quietPasses = idle ? quietPasses + 1 : 0;
  }
  await observer.observe();
}
