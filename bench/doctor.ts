/**
 * `doctor` over a million mirror rows: 150,000 schools (Editor__c rows), 400,000 staff roles
 * (affiliation rows) and 450,000 Contacts, with every class of the seed's evidence mixed in at
 * production's proportions and scaled up. Reports the time of one whole `doctor` (all classes,
 * counts and examples, read from the views), the best of three runs after a warm-up.
 */
import { performance } from 'node:perf_hooks';
import { doctorReport } from '../src/ops/doctor-report.ts';
import { doctorViewsEnsure } from '../src/ops/doctor-views.ts';
import { repairPlan } from '../src/ops/repair.ts';
import { benchDatabaseCreate } from './bench-database.ts';
import { editorConfig } from '../src/editor/preset.ts';

/** What the benchmark measured. */
export interface DoctorBenchResult {
  mirrorRows: number;
  seedSeconds: number;
  doctorSeconds: number;
  /** One `repair` dry run (what the reconciler reads every tick). */
  repairPlanSeconds: number;
  counts: Record<string, number>;
  server: string;
}

const schools = 150_000;

// Seeded in SQL, set-wise. School n: every 100th rejected (1,500), every 1,000th + 7 without
// rows for its staff, every 2,000th + 3 with an affiliation FAILED on the Editor, every
// 5,000th + 11 FAILED on a Contact that never came, every 10,000th + 13 with only students.
const seedSql = `
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
const expectedCounts = { rejected: 1500, failedOnEditor: 75, failedOnContact: 30, noAffiliationRow: 150, noStaffRoles: 15, other: 0 };

/** Seeds a database and times `doctor` over it. */
export async function doctorBenchmark(): Promise<DoctorBenchResult> {
  const bench = await benchDatabaseCreate('connect_sync_bench_doctor');
  try {
    const { database } = bench;
    const seedStart = performance.now();
    await database.pool.query(seedSql);
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const { rows } = await database.pool.query<{ rows: number }>(
      `SELECT (SELECT count(*) FROM salesforce.editor__c) + (SELECT count(*) FROM salesforce.contact)
            + (SELECT count(*) FROM salesforce.contact_editor_affiliation__c) AS rows`,
    );
    await doctorViewsEnsure(database, editorConfig);
    await doctorReport(database, editorConfig);
    let best = Infinity;
    let report: Awaited<ReturnType<typeof doctorReport>> | undefined;
    for (let run = 0; run < 3; run += 1) {
      const start = performance.now();
      report = await doctorReport(database, editorConfig);
      best = Math.min(best, (performance.now() - start) / 1000);
    }
    const repairStart = performance.now();
    await repairPlan(database, editorConfig);
    const repairPlanSeconds = (performance.now() - repairStart) / 1000;
    const counts = Object.fromEntries(Object.entries(report?.checks.schools?.classes ?? {}).map(([name, found]) => [name, found.count]));
    // A timing of a doctor that classifies wrongly is worth nothing: check the seed's classes first.
    for (const [name, count] of Object.entries(expectedCounts)) {
      if (counts[name] !== count) throw new Error(`doctor found ${counts[name]} ${name}, the seed made ${count}: the benchmark's figures would mean nothing`);
    }
    return { mirrorRows: Number(rows[0]?.rows ?? 0), seedSeconds, doctorSeconds: best, repairPlanSeconds, counts, server: bench.server };
  } finally {
    await bench.drop();
  }
}
