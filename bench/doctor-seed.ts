/**
 * The doctor benchmark's data: `schools` schools (Editor__c rows), three roles each (affiliation
 * rows for the staff) and a Contact per person, about 7.4 mirror rows per school, with every class
 * of the seed's evidence mixed in at production's proportions and scaled up. Loaded as a bulk load
 * is: set-wise from generate_series, into unlogged tables (the benchmark reads them and never
 * needs them after a crash), with the foreign-key triggers off (the rows agree by construction)
 * and each secondary index built once after the load instead of updated row by row. Ten million
 * rows take minutes this way instead of most of an hour.
 */
import type { Database } from '../src/db/database.ts';

/** The tables the seed fills; the unlogged ones are referenced by no other table. */
const seededTables = ['public.schools', 'public.roles', 'salesforce.editor__c', 'salesforce.contact', 'salesforce.contact_editor_affiliation__c'];
const unloggedTables = seededTables.filter((table) => table !== 'public.schools');

// School n: every 100th rejected, every 1,000th + 7 without rows for its staff, every 2,000th + 3
// with an affiliation FAILED on the Editor, every 5,000th + 11 FAILED on a Contact that never came,
// every 10,000th + 13 with only students.
const insertsSql = (schools: number) => `
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
   WHERE NOT (substr(s.name, 8)::int % 5000 = 11 AND r.role = 'owner');
  INSERT INTO salesforce.contact (pi_accounts_unique_id__c, sfid, _hc_lastop)
  -- Contacts of nobody in a school, their sfids past any role's.
  SELECT md5('spare' || n)::uuid::text, '003' || lpad((900000000000000 + n)::text, 15, '0'), 'SYNCED' FROM generate_series(1, 70000) n;
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
   WHERE r.role <> 'student' AND s.rejected_at IS NULL AND school.n % 1000 <> 7`;

/** The classes the seed makes, as the comment above the inserts says. */
export const seededClasses = (schools: number) => ({
  rejected: schools / 100,
  failedOnEditor: schools / 2000,
  failedOnContact: schools / 5000,
  noAffiliationRow: schools / 1000,
  noStaffRoles: schools / 10_000,
  other: 0,
});

/** Fills a migrated, empty database with `schools` schools' rows; the tables end up vacuumed and the database analyzed. */
export async function doctorSeed(database: Pick<Database, 'pool'>, schools: number): Promise<void> {
  const client = await database.pool.connect();
  try {
    // Session settings of this connection only: the server's stay as they are.
    await client.query(`SET session_replication_role = replica; SET maintenance_work_mem = '512MB'; SET work_mem = '256MB'`);
    // One transaction up to the indexes: a load that fails leaves the database as it was.
    await client.query('BEGIN');
    for (const table of unloggedTables) await client.query(`ALTER TABLE ${table} SET UNLOGGED`);
    // Secondary indexes (not those behind a constraint), to be built again after the load.
    const { rows: indexes } = await client.query<{ name: string; definition: string }>(
      `SELECT format('%I.%I', i.schemaname, i.indexname) AS name, i.indexdef AS definition FROM pg_indexes i
        WHERE format('%s.%s', i.schemaname, i.tablename) = ANY($1::text[])
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = format('%I.%I', i.schemaname, i.indexname)::regclass)`,
      [seededTables],
    );
    for (const { name } of indexes) await client.query(`DROP INDEX ${name}`);
    await client.query(insertsSql(schools));
    for (const { definition } of indexes) await client.query(definition);
    await client.query('COMMIT');
    // Vacuumed as autovacuum leaves a settled table: the visibility map set, so index-only scans are possible.
    for (const table of seededTables) await client.query(`VACUUM ${table}`);
    await client.query(`ANALYZE`);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.query(`RESET ALL`).catch(() => undefined);
    client.release();
  }
}
