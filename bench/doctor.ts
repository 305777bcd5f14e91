/**
 * `doctor` over a million mirror rows, and over ten million when asked: 150,000 schools by default
 * (1.1 million mirror rows; bench/doctor-seed.ts makes them). The doctor counts records with no
 * mirror row from the rows changed since its last count (src/ops/kept-set-count.ts), so each timed
 * run follows an app's worth of changes: `--changed` roles (10,000 by default) and a tenth as many
 * schools updated, new row versions the count must read, as five busy minutes would leave them.
 * Reports one whole count (`doctor --whole`: what the first run, a deleted mirror row and the
 * daily count cost), the best of three `doctor` runs after such changes, and one `repair` dry run
 * after them (what the reconciler reads every tick), each through connections with the server's
 * JIT as configured (on by default from PostgreSQL 11) and through connections with it off; then
 * the server's CPU seconds for each without parallel workers. Takes sizes:
 * `node bench/doctor.ts [--keep <database>] [--changed <roles>] <schools>…` (each a multiple of
 * 10,000; about 7 mirror rows per school: 1,360,000 schools make 9.5 million rows, 1,430,000 ten
 * million). `--keep` names a database prefix on DATABASE_URL's server: each size's database
 * (`<prefix>_<schools>`) is seeded once, used again by later runs and left in place (drop it by
 * hand: ten million rows take 3.4 GB).
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { doctorReport } from '../src/ops/doctor-report.ts';
import { doctorFunctionsEnsure } from '../src/ops/doctor-functions.ts';
import { repairPlan } from '../src/ops/repair.ts';
import { databaseConnect, type Database } from '../src/db/database.ts';
import { benchDatabaseCreate } from './bench-database.ts';
import { doctorSeed, seededClasses } from './doctor-seed.ts';
import { editorConfig } from '../src/editor/preset.ts';

/** What the benchmark measured. */
export interface DoctorBenchResult {
  mirrorRows: number;
  /** Null when a kept database was already seeded. */
  seedSeconds: number | null;
  /** Roles (and a tenth as many schools) updated before each timed run. */
  changedRoles: number;
  /** `doctor --whole`: every record counted. */
  doctorWholeSeconds: number;
  /** `doctor` after the changes, best of three. */
  doctorSeconds: number;
  /** One `repair` dry run after the changes (what the reconciler reads every tick). */
  repairPlanSeconds: number;
  /** The server's `jit` setting for the figures above, and the same with JIT off. */
  jit: string;
  jitOff: { doctorWholeSeconds: number; doctorSeconds: number; repairPlanSeconds: number };
  /**
   * The work itself, whatever else the machine runs: CPU seconds the server's backend spent on one
   * `doctor` and one `repair` dry run, on a single connection with parallel workers off (so no
   * work runs elsewhere). Null when the server is not on this machine (its /proc is not ours).
   */
  serverCpu: { doctorWholeSeconds: number; doctorSeconds: number; repairPlanSeconds: number; metricsRefreshSeconds: number } | null;
  counts: Record<string, number>;
  server: string;
}

const schoolsDefault = 150_000;

/** CPU seconds (user and system) process `pid` has spent, from /proc; null when it is not visible here. */
function processCpuSeconds(pid: number): number | null {
  try {
    // Fields 14 and 15 after the command name (which may hold spaces), in clock ticks of 1/100 s.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/**
 * Updates `roles` roles and a tenth as many schools, spread over the tables, with values as they
 * were: new row versions (a new xmin) that the doctor's next count reads, changing no finding.
 */
async function appChanges(database: Pick<Database, 'pool'>, roles: number): Promise<void> {
  const { rows } = await database.pool.query<{ max: number }>(`SELECT max(id)::int AS max FROM roles`);
  const step = Math.max(1, Math.floor((rows[0]?.max ?? 0) / roles));
  const offset = Math.floor(Math.random() * step);
  await database.pool.query(`UPDATE roles SET updated_at = updated_at WHERE id % $1 = $2`, [step, offset]);
  await database.pool.query(`UPDATE schools SET name = name WHERE id IN (SELECT school_id FROM roles WHERE id % $1 = $2)`, [step * 10, offset]);
}

/**
 * One whole count, then after changes each: a `doctor`, a `repair` dry run and the metrics' mirror
 * counts, on one connection without parallel workers, as its backend's CPU seconds.
 */
export async function serverCpuMeasure(databaseUrl: string, changedRoles: number): Promise<DoctorBenchResult['serverCpu']> {
  const url = new URL(databaseUrl);
  url.searchParams.set('options', '-c max_parallel_workers_per_gather=0');
  const single = await databaseConnect(url.toString(), false, { poolSize: 1 });
  try {
    const { rows } = await single.pool.query<{ pid: number }>(`SELECT pg_backend_pid() AS pid`);
    const pid = rows[0]?.pid ?? 0;
    const cpu = async (run: () => Promise<unknown>) => {
      const before = processCpuSeconds(pid);
      await run();
      const after = processCpuSeconds(pid);
      return before === null || after === null ? null : after - before;
    };
    const doctorWholeSeconds = await cpu(() => doctorReport(single, editorConfig, { whole: true }));
    await appChanges(single, changedRoles);
    const doctorSeconds = await cpu(() => doctorReport(single, editorConfig));
    await appChanges(single, changedRoles);
    const repairPlanSeconds = await cpu(() => repairPlan(single, editorConfig));
    await appChanges(single, changedRoles);
    // What the metrics' mirror counts cost, every 5 minutes by default (src/metrics/doctor-counts.ts).
    const metricsRefreshSeconds = await cpu(() => doctorReport(single, editorConfig, { examples: 0, checks: false }));
    return doctorWholeSeconds === null || doctorSeconds === null || repairPlanSeconds === null || metricsRefreshSeconds === null
      ? null
      : { doctorWholeSeconds, doctorSeconds, repairPlanSeconds, metricsRefreshSeconds };
  } finally {
    await single.close();
  }
}

/**
 * Seeds a database of `schools` schools (or finds it seeded, with `keep`) and times `doctor` and a
 * `repair` dry run over it, JIT as the server has it and off.
 */
export async function doctorBenchmark(schools = schoolsDefault, options: { keep?: string; changedRoles?: number } = {}): Promise<DoctorBenchResult> {
  const changedRoles = options.changedRoles ?? 10_000;
  if (!Number.isInteger(schools / 10_000) || schools <= 0) throw new Error(`The doctor benchmark takes a number of schools that is a multiple of 10,000; got ${schools}`);
  const bench = options.keep ? await benchDatabaseCreate(`${options.keep}_${schools}`, { keep: true }) : await benchDatabaseCreate('connect_sync_bench_doctor');
  let jitOffDatabase: Database | undefined;
  try {
    const { database } = bench;
    const { rows: seeded } = await database.pool.query<{ schools: number }>(`SELECT count(*)::int AS schools FROM schools`);
    let seedSeconds: number | null = null;
    if (seeded[0]?.schools === 0) {
      const seedStart = performance.now();
      await doctorSeed(database, schools);
      seedSeconds = (performance.now() - seedStart) / 1000;
    } else if (seeded[0]?.schools !== schools) {
      throw new Error(`The kept database holds ${seeded[0]?.schools} schools, not ${schools}: drop it to seed it again`);
    }
    const { rows } = await database.pool.query<{ rows: number }>(
      `SELECT (SELECT count(*) FROM salesforce.editor__c) + (SELECT count(*) FROM salesforce.contact)
            + (SELECT count(*) FROM salesforce.contact_editor_affiliation__c) AS rows`,
    );
    const { rows: jit } = await database.pool.query<{ jit: string }>(`SHOW jit`);
    await doctorFunctionsEnsure(database, editorConfig);
    const timed = async (on: Database) => {
      const wholeStart = performance.now();
      await doctorReport(on, editorConfig, { whole: true });
      const doctorWholeSeconds = (performance.now() - wholeStart) / 1000;
      let best = Infinity;
      let report: Awaited<ReturnType<typeof doctorReport>> | undefined;
      for (let run = 0; run < 3; run += 1) {
        await appChanges(on, changedRoles);
        const start = performance.now();
        report = await doctorReport(on, editorConfig);
        best = Math.min(best, (performance.now() - start) / 1000);
        // A count that had to be whole is not the figure this times.
        const whole = report.counted.filter((counted) => counted.count === 'whole');
        if (whole.length > 0) throw new Error(`doctor counted whole after the changes (${whole.map((counted) => `${counted.set}: ${counted.reason}`).join('; ')})`);
      }
      await appChanges(on, changedRoles);
      const repairStart = performance.now();
      await repairPlan(on, editorConfig);
      return { report, doctorWholeSeconds, doctorSeconds: best, repairPlanSeconds: (performance.now() - repairStart) / 1000 };
    };
    const { report, doctorWholeSeconds, doctorSeconds, repairPlanSeconds } = await timed(database);
    // The same database through connections that run with JIT off.
    const url = new URL(database.url);
    url.searchParams.set('options', '-c jit=off');
    jitOffDatabase = await databaseConnect(url.toString());
    const off = await timed(jitOffDatabase);
    const serverCpu = await serverCpuMeasure(database.url, changedRoles);
    const counts = Object.fromEntries(Object.entries(report?.checks.schools?.classes ?? {}).map(([name, found]) => [name, found.count]));
    // A timing of a doctor that classifies wrongly is worth nothing: check the seed's classes first.
    for (const [name, count] of Object.entries(seededClasses(schools))) {
      if (counts[name] !== count) throw new Error(`doctor found ${counts[name]} ${name}, the seed made ${count}: the benchmark's figures would mean nothing`);
    }
    return {
      mirrorRows: Number(rows[0]?.rows ?? 0),
      seedSeconds,
      changedRoles,
      doctorWholeSeconds,
      doctorSeconds,
      repairPlanSeconds,
      jit: jit[0]?.jit ?? '?',
      jitOff: { doctorWholeSeconds: off.doctorWholeSeconds, doctorSeconds: off.doctorSeconds, repairPlanSeconds: off.repairPlanSeconds },
      serverCpu,
      counts,
      server: bench.server,
    };
  } finally {
    await jitOffDatabase?.close();
    await bench.drop();
  }
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({ options: { keep: { type: 'string' }, changed: { type: 'string' } }, allowPositionals: true });
  const sizes = positionals.length === 0 ? [schoolsDefault] : positionals.map(Number);
  for (const schools of sizes) {
    const result = await doctorBenchmark(schools, {
      ...(values.keep === undefined ? {} : { keep: values.keep }),
      ...(values.changed === undefined ? {} : { changedRoles: Number(values.changed) }),
    });
    process.stdout.write(`${JSON.stringify({ schools, ...result }, null, 2)}\n`);
  }
}
