/**
 * An app role that only enqueues, with the grants docs/security.md lists and nothing on pg-boss's
 * tables: it enqueues from TypeScript and from SQL, cannot touch a job, and its record keys are
 * checked against the payload's id. A role that inserts with pg-boss's send (INSERT, no UPDATE)
 * still gets its jobs keyed and coalesced.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { connectSync } from '../../src/connect-sync.ts';
import { databaseFromPool } from '../../src/db/database.ts';
import { editor } from '../../src/editor/objects/editor.ts';
import { editorPreset } from '../../src/editor/preset.ts';
import { PayloadInvalidError } from '../../src/sync/sync-errors.ts';
import { testDatabase } from '../support/database.ts';
import { schoolInsert } from '../support/records.ts';
import { jobsRead } from '../support/queue.ts';

const database = await testDatabase();

/** A login role with `grants`, and a pool connected as it; both gone when the file ends. */
async function roleWith(grants: string): Promise<pg.Pool> {
  const role = `connect_sync_app_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  await database.pool.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
  await database.pool.query(grants.replaceAll(':role', role));
  const url = new URL(database.url);
  url.username = role;
  url.password = password;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  // The file's database is dropped with its connections at the end.
  pool.on('error', () => undefined);
  afterAll(async () => {
    await pool.end();
    await database.pool.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`);
  });
  return pool;
}

// docs/security.md, "An app role that only enqueues" (plus the app's own table, for the test's rows).
const enqueueOnly = `
  GRANT USAGE ON SCHEMA connect_sync TO :role;
  GRANT EXECUTE ON FUNCTION connect_sync.job_insert(text, jsonb, text), connect_sync.sync_enqueue(text, jsonb, text) TO :role;
  GRANT SELECT ON public.schools TO :role;`;

describe('an app role that only enqueues', () => {
  it('enqueues from TypeScript and from SQL, and cannot change a job', async () => {
    const pool = await roleWith(enqueueOnly);
    const { rows: super_ } = await pool.query<{ rolsuper: boolean }>('SELECT rolsuper FROM pg_roles WHERE rolname = current_user');
    expect(super_[0]!.rolsuper).toBe(false);
    const sync = connectSync({ pool, ...editorPreset });
    const first = await schoolInsert(database);
    const second = await schoolInsert(database);
    const id = await databaseFromPool(pool).db.transaction((tx) => sync.enqueue(editor, { schoolId: first.id, isCreate: true }, { tx }));
    const { rows } = await pool.query<{ id: string }>('SELECT connect_sync.sync_enqueue($1, $2, NULL) AS id', [editor.queueName, { schoolId: second.id, isCreate: true }]);
    const jobs = await jobsRead(database, editor.queueName);
    expect(jobs.filter((job) => [id, rows[0]!.id].includes(job.id)).map((job) => job.singleton_key).sort()).toEqual([first.id, second.id].sort());
    await expect(pool.query(`UPDATE pgboss.job SET state = 'completed' WHERE id = $1`, [id])).rejects.toThrow(/permission denied/);
    await expect(pool.query(`INSERT INTO pgboss.job (name, data) VALUES ($1, '{}')`, [editor.queueName])).rejects.toThrow(/permission denied/);
  });

  it('is refused a record key that is not the payload id, and an oversized one, in words', async () => {
    const pool = await roleWith(enqueueOnly);
    const school = await schoolInsert(database);
    const other = await schoolInsert(database);
    const enqueue = (payload: unknown, key: string | null) => pool.query('SELECT connect_sync.sync_enqueue($1, $2, $3)', [editor.queueName, payload, key]);
    await expect(enqueue({ schoolId: school.id, isCreate: true }, other.id)).rejects.toThrow(
      new RegExp(`record_key ${other.id} does not match the payload's schoolId \\(${school.id}\\) for salesforce-sync.school`),
    );
    // A key the case of a uuid aside is the same record.
    await expect(enqueue({ schoolId: school.id, isCreate: true }, school.id.toUpperCase())).rejects.toThrow(/does not match/);
    const huge = 'x'.repeat(1024 * 1024);
    await expect(enqueue({ schoolId: huge, isCreate: true }, huge)).rejects.toThrow(/record_key for salesforce-sync.school is 1048576 characters long; a record id is at most 200/);
    await expect(enqueue({ schoolId: huge, isCreate: true }, null)).rejects.toThrow(/is 1048576 characters long/);
    expect((await jobsRead(database, editor.queueName)).filter((job) => [school.id, other.id].includes(job.singleton_key!))).toEqual([]);
  });
});

describe('an oversized record id from TypeScript', () => {
  it('is refused before any SQL, naming the record and the limit', async () => {
    const sync = connectSync({ database, ...editorPreset });
    // A host's object whose id is free text: here the preset's, its id made a megabyte long.
    const recordId = editor.recordId;
    editor.recordId = () => 'y'.repeat(1024 * 1024);
    const error = await database.db
      .transaction((tx) => sync.enqueue(editor, { schoolId: randomUUID(), isCreate: true }, { tx }))
      .catch((caught: unknown) => caught)
      .finally(() => (editor.recordId = recordId));
    expect(error).toBeInstanceOf(PayloadInvalidError);
    expect((error as Error).message).toMatch(/^School id is 1048576 characters long \(y{40}…\); a record id is at most 200$/);
  });
});

describe('a role that sends with pg-boss (INSERT on the job table, no UPDATE)', () => {
  it('gets its keyless jobs keyed and an identical waiting one coalesced', async () => {
    const pool = await roleWith(`
      GRANT USAGE ON SCHEMA pgboss TO :role;
      GRANT INSERT, SELECT ON pgboss.job TO :role;`);
    const school = await schoolInsert(database);
    const payload = JSON.stringify({ schoolId: school.id, isCreate: true });
    for (let n = 0; n < 2; n += 1) await pool.query(`INSERT INTO pgboss.job (name, data, policy) VALUES ($1, $2, 'singleton')`, [editor.queueName, payload]);
    const jobs = (await jobsRead(database, editor.queueName)).filter((job) => job.singleton_key === school.id);
    expect(jobs.map((job) => job.state)).toEqual(['created', 'completed']);
    expect(jobs[1]!.output).toEqual({ coalescedInto: jobs[0]!.id });
  });
});
