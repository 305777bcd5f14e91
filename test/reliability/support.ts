/**
 * What the reliability tests share: real worker processes (`connect-sync worker`, as a dyno runs
 * it), schools seeded set-wise with their Editor__c jobs, and the counts that prove nothing was
 * lost or written twice (pg-boss's job table, Connect's trigger log).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { sql } from 'drizzle-orm';
import type { PgBoss } from 'pg-boss';
import { afterAll } from 'vitest';
import type pg from 'pg';
import type { Database } from '../../src/db/database.ts';
import { classroom } from '../../src/editor/objects/classroom.ts';
import { editor } from '../../src/editor/objects/editor.ts';
import { ownServerOpen, type OwnServer } from './own-server.ts';

/** A worker process and everything it printed. */
export interface SpawnedWorker {
  child: ChildProcess;
  output(): string;
  /** Its JSON log lines, parsed. */
  lines(): Record<string, unknown>[];
  exited: Promise<number | null>;
}

/** Every worker a test file started: none outlives the file, even when a test fails midway. */
const spawned = new Set<ChildProcess>();
afterAll(() => {
  for (const child of spawned) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/**
 * Starts `connect-sync worker` (or `dashboard`, or another command with its `args`) on `database`;
 * resolves once its sync workers have started (or it listens), or at once with
 * `{ untilStarted: false }` (a worker that must wait for its database first, a one-off command).
 */
export async function workerSpawn(
  database: Pick<Database, 'url'>,
  env: Record<string, string> = {},
  { untilStarted = true, command = 'worker', args = [] as string[] } = {},
): Promise<SpawnedWorker> {
  const ready = command === 'dashboard' ? 'dashboard listening' : 'sync workers started';
  const child = spawn(process.execPath, ['bin/connect-sync.js', command, ...args], {
    env: { ...process.env, DATABASE_URL: database.url, SALESFORCE_ENABLED: 'true', LOG_FORMAT: 'json', WORKER_SUMMARY_SECONDS: '0', RECONCILER_CRON: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  spawned.add(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const worker: SpawnedWorker = {
    child,
    output: () => output,
    lines: () =>
      output
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    exited,
  };
  const started = Date.now();
  while (untilStarted && !output.includes(ready)) {
    if (child.exitCode !== null) throw new Error(`worker exited during start-up: ${output.slice(0, 2000)}`);
    if (Date.now() - started > 60_000) throw new Error(`worker did not start in 60 s: ${output.slice(0, 2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return worker;
}

/** A server of the test file's own (see own-server.ts), removed when the file's tests end. */
export async function ownServerStart(...args: Parameters<typeof ownServerOpen>): Promise<OwnServer> {
  const server = await ownServerOpen(...args);
  afterAll(() => server.remove());
  return server;
}

/** Creates `count` schools in one statement; returns their ids. */
export async function schoolsSeed(database: Database, count: number, prefix = 'School'): Promise<string[]> {
  const { rows } = await database.db.execute<{ id: string }>(
    sql`INSERT INTO schools (name, creator_id) SELECT ${prefix} || ' ' || n, gen_random_uuid() FROM generate_series(1, ${count}::int) n RETURNING id`,
  );
  return rows.map((row) => row.id);
}

/** Enqueues one Editor__c job per school, keyed by school, in one statement. */
export async function editorJobsInsert(boss: PgBoss, schoolIds: readonly string[]): Promise<void> {
  const jobs = schoolIds.map((schoolId) => ({ data: { schoolId, isCreate: true }, singletonKey: schoolId }));
  for (let start = 0; start < jobs.length; start += 1000) await boss.insert(editor.queueName, jobs.slice(start, start + 1000));
}

/**
 * One class per school, each waiting on its school: the Editor__c mirror rows are there without
 * an sfid (Salesforce has not accepted them yet), and one Classroom__c job per class is enqueued.
 * Returns the classes' ids.
 */
export async function classroomsWaitingSeed(database: Database, boss: PgBoss, schoolIds: readonly string[]): Promise<string[]> {
  const { rows } = await database.db.execute<{ id: string }>(
    sql`INSERT INTO school_classes (school_id, name) SELECT id, 'Class ' || id FROM unnest(${sql.param(schoolIds)}::uuid[]) id RETURNING id`,
  );
  await database.db.execute(sql`INSERT INTO salesforce.editor__c (editoruuid__c) SELECT unnest(${sql.param(schoolIds)}::text[])`);
  const classIds = rows.map((row) => row.id);
  const jobs = classIds.map((schoolClassId) => ({ data: { schoolClassId }, singletonKey: schoolClassId }));
  for (let start = 0; start < jobs.length; start += 1000) await boss.insert(classroom.queueName, jobs.slice(start, start + 1000));
  return classIds;
}

/** Salesforce accepts these schools: their Editor__c rows get an sfid, as Connect writes it. */
export async function editorsAccept(client: Pick<pg.Client, 'query'>, schoolIds: readonly string[]): Promise<void> {
  await client.query(`UPDATE salesforce.editor__c SET sfid = 'a00' || substr(md5(editoruuid__c), 1, 15) WHERE editoruuid__c = ANY($1::text[]) AND sfid IS NULL`, [schoolIds]);
}

/** Terminates every other client backend of the database (a failover, a proxy restart); returns how many. */
export async function backendsTerminate(client: Pick<pg.Client, 'query'>): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
     WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
  );
  return rows[0]!.n;
}

/** Jobs of `queue` by state. */
export async function jobStates(database: Database, queue: string): Promise<Record<string, number>> {
  const { rows } = await database.db.execute<{ state: string; count: number }>(
    sql`SELECT state::text, count(*)::int AS count FROM pgboss.job WHERE name = ${queue} GROUP BY state`,
  );
  return Object.fromEntries(rows.map((row) => [row.state, row.count]));
}

/**
 * Connect's trigger log for Editor__c (or another mirror `table`): INSERTs and UPDATEs in all, and records written more than
 * once (a job run twice in a way that writes twice would show here).
 */
export async function editorWrites(database: Database, table = 'editor__c'): Promise<{ inserts: number; updates: number; rowsWrittenTwice: number }> {
  const { rows } = await database.db.execute<{ inserts: number; updates: number; twice: number }>(
    sql`WITH log AS (SELECT action, record_id FROM salesforce._trigger_log WHERE table_name = ${table}
                     UNION ALL SELECT action, record_id FROM salesforce._trigger_log_archive WHERE table_name = ${table})
        SELECT count(*) FILTER (WHERE action = 'INSERT')::int AS inserts, count(*) FILTER (WHERE action = 'UPDATE')::int AS updates,
               (SELECT count(*)::int FROM (SELECT record_id FROM log GROUP BY record_id HAVING count(*) > 1) t) AS twice
        FROM log`,
  );
  const row = rows[0]!;
  return { inserts: row.inserts, updates: row.updates, rowsWrittenTwice: row.twice };
}

/** The figure a test proves, on one line the README quotes. */
export function figure(name: string, values: Record<string, unknown>): void {
  console.log(`[reliability] ${name}: ${Object.entries(values).map(([key, value]) => `${key}=${value}`).join(' ')}`);
}
