/**
 * `doctor` over a million mirror rows: 150,000 schools (Editor__c rows), 400,000 staff roles
 * (affiliation rows) and 450,000 Contacts, with every class of the seed's evidence mixed in at
 * production's proportions and scaled up. Reports the time of one whole `doctor` (all classes,
 * counts and examples, read from the views), the best of three runs after a warm-up, and one
 * `repair` dry run, each with the server's JIT as configured (on by default from PostgreSQL 11)
 * and with it off. Takes a size: `node bench/doctor.ts <schools>` (a multiple of 10,000; about
 * 7.4 mirror rows per school, so 1,360,000 schools make 10 million rows).
 */
import { performance } from 'node:perf_hooks';
import { doctorReport } from '../src/ops/doctor-report.ts';
import { doctorFunctionsEnsure } from '../src/ops/doctor-functions.ts';
import { repairPlan } from '../src/ops/repair.ts';
import { databaseConnect, type Database } from '../src/db/database.ts';
import { benchDatabaseCreate } from './bench-database.ts';
import { editorConfig } from '../src/editor/preset.ts';

/** What the benchmark measured. */
export interface DoctorBenchResult {
  mirrorRows: number;
  seedSeconds: number;
  doctorSeconds: number;
  /** One `repair` dry run (what the reconciler reads every tick). */
  repairPlanSeconds: number;
  /** The server's `jit` setting for the two figures above, and the same two with JIT off. */
  jit: string;
  jitOff: { doctorSeconds: number; repairPlanSeconds: number };
  counts: Record<string, number>;
  server: string;
}

const schoolsDefault = 150_000;

// Seeded in SQL, set-wise. School n: every 100th rejected (1,500), every 1,000th + 7 without
// rows for its staff, every 2,000th + 3 with an affiliation FAILED on the Editor, every
// 5,000th + 11 FAILED on a Contact that never came, every 10,000th + 13 with only students.
const seedSql = (schools: number) => `
  INSERT INTO schools (id, name, creator_id, rejected_at)
  SELECT md5('school' || n)::uuid, 'School ' || n, gen_random_uuid(), CASE WHEN n % 100 = 0 THEN now() END
    FROM generate_series(1, ${schools}) n;
  INSERT INTO roles (school_id, role, user_id)
  SELECT md5('school' || n)::uuid,
         CASE WHEN n % 10000 = 13 THEN 'student' WHEN k = 1 THEN 'owner' WHEN k <= 3 THEN 'teacher' ELSE 'student' END::role_name,
         md5('user' || n || '/' || k)::uuid
    FROM generate_series(1, ${schools}) n, generate_series(1, 3) k
   WHERE NOT (n % 100 = 0 AND k > 1);
  INSERT INTO salesforce.editor__c (editoruuid__c, name, sfid, _hc_lastop, rejectedat__c)
  SELECT md5('school' || n)::uuid::text, 'School ' || n, 'a0E' || lpad(n::text, 15, '0'), 'SYNCED', CASE WHEN n % 100 = 0 THEN now() END
    FROM generate_series(1, ${schools}) n;
  INSERT INTO salesforce.contact (pi_accounts_unique_id__c, sfid, _hc_lastop)
  SELECT r.user_id::text, '003' || lpad(r.id::text, 15, '0'), 'SYNCED'
    FROM roles r JOIN schools s ON s.id = r.school_id
   WHERE NOT (s.name IN (SELECT 'School ' || n FROM generate_series(11, ${schools}, 5000) n) AND r.role = 'owner');
  INSERT INTO salesforce.contact (pi_accounts_unique_id__c, sfid, _hc_lastop)
  SELECT md5('spare' || n)::uuid::text, '003' || lpad((1000000 + n)::text, 15, '0'), 'SYNCED' FROM generate_series(1, 70000) n;
  INSERT INTO salesforce.contact_editor_affiliation__c
    (affiliation_id__c, editor__r__editoruuid__c, contact__r__pi_accounts_unique_id__c, roletype__c, sfid, _hc_lastop, _hc_err)
  SELECT r.id::text, r.school_id::text, r.user_id::text, r.role::text,
         CASE WHEN f.kind IS NULL THEN 'a0A' || lpad(r.id::text, 15, '0') END,
         CASE WHEN f.kind IS NULL THEN 'SYNCED' ELSE 'FAILED' END,
         CASE f.kind
           WHEN 'editor' THEN json_build_object('message', 'Foreign key external ID: ' || r.school_id || ' not found for field EditorUUID__c in entity Editor__c', 'errorCode', 'INVALID_FIELD')::text
           WHEN 'contact' THEN json_build_object('message', 'Foreign key external ID: ' || r.user_id || ' not found for field Pi_Accounts_Unique_ID__c in entity Contact', 'errorCode', 'INVALID_FIELD')::text
         END
    FROM roles r
    JOIN schools s ON s.id = r.school_id
    CROSS JOIN LATERAL (SELECT substr(s.name, 8)::int AS n) school
    LEFT JOIN LATERAL (SELECT CASE WHEN school.n % 2000 = 3 THEN 'editor' WHEN school.n % 5000 = 11 THEN 'contact' END AS kind) f ON true
   WHERE r.role <> 'student' AND s.rejected_at IS NULL AND school.n % 1000 <> 7;
  ANALYZE;`;

/** The classes the seed makes, as the comment above the seed says. */
const expectedCounts = (schools: number) => ({
  rejected: schools / 100,
  failedOnEditor: schools / 2000,
  failedOnContact: schools / 5000,
  noAffiliationRow: schools / 1000,
  noStaffRoles: schools / 10_000,
  other: 0,
});

/** Seeds a database of `schools` schools and times `doctor` and a `repair` dry run over it, JIT as the server has it and off. */
export async function doctorBenchmark(schools = schoolsDefault): Promise<DoctorBenchResult> {
  if (!Number.isInteger(schools / 10_000) || schools <= 0) throw new Error(`The doctor benchmark takes a number of schools that is a multiple of 10,000; got ${schools}`);
  const bench = await benchDatabaseCreate('connect_sync_bench_doctor');
  let jitOffDatabase: Database | undefined;
  try {
    const { database } = bench;
    const seedStart = performance.now();
    await database.pool.query(seedSql(schools));
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const { rows } = await database.pool.query<{ rows: number }>(
      `SELECT (SELECT count(*) FROM salesforce.editor__c) + (SELECT count(*) FROM salesforce.contact)
            + (SELECT count(*) FROM salesforce.contact_editor_affiliation__c) AS rows`,
    );
    const { rows: jit } = await database.pool.query<{ jit: string }>(`SHOW jit`);
    await doctorFunctionsEnsure(database, editorConfig);
    const timed = async (on: Database) => {
      await doctorReport(on, editorConfig);
      let best = Infinity;
      let report: Awaited<ReturnType<typeof doctorReport>> | undefined;
      for (let run = 0; run < 3; run += 1) {
        const start = performance.now();
        report = await doctorReport(on, editorConfig);
        best = Math.min(best, (performance.now() - start) / 1000);
      }
      const repairStart = performance.now();
      await repairPlan(on, editorConfig);
      return { report, doctorSeconds: best, repairPlanSeconds: (performance.now() - repairStart) / 1000 };
    };
    const { report, doctorSeconds, repairPlanSeconds } = await timed(database);
    // The same database through connections that run with JIT off.
    const url = new URL(database.url);
    url.searchParams.set('options', '-c jit=off');
    jitOffDatabase = await databaseConnect(url.toString());
    const off = await timed(jitOffDatabase);
    const counts = Object.fromEntries(Object.entries(report?.checks.schools?.classes ?? {}).map(([name, found]) => [name, found.count]));
    // A timing of a doctor that classifies wrongly is worth nothing: check the seed's classes first.
    for (const [name, count] of Object.entries(expectedCounts(schools))) {
      if (counts[name] !== count) throw new Error(`doctor found ${counts[name]} ${name}, the seed made ${count}: the benchmark's figures would mean nothing`);
    }
    return {
      mirrorRows: Number(rows[0]?.rows ?? 0),
      seedSeconds,
      doctorSeconds,
      repairPlanSeconds,
      jit: jit[0]?.jit ?? '?',
      jitOff: { doctorSeconds: off.doctorSeconds, repairPlanSeconds: off.repairPlanSeconds },
      counts,
      server: bench.server,
    };
  } finally {
    await jitOffDatabase?.close();
    await bench.drop();
  }
}

if (import.meta.main) {
  const schools = process.argv[2] === undefined ? schoolsDefault : Number(process.argv[2]);
  process.stdout.write(`${JSON.stringify(await doctorBenchmark(schools), null, 2)}\n`);
}
