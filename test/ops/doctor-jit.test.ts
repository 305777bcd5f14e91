/**
 * The doctor reads with settings of its own, for its own reads only: JIT off (it spent longer
 * compiling the doctor's large plans than running them: 3.0 s against 0.9 s at 1.1 million mirror
 * rows on PostgreSQL 15) and a work_mem that holds the hash of a large mirror's keys. The pooled
 * connection goes back with the server's settings. Its functions may run on parallel workers.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { DoctorCheck } from '../../src/ops/doctor-check.ts';
import { doctorReport } from '../../src/ops/doctor-report.ts';
import { doctorFunctionsEnsure } from '../../src/ops/doctor-functions.ts';
import { doctorWorkMem } from '../../src/ops/doctor-read.ts';
import type { SyncConfig } from '../../src/sync-config.ts';
import { testDatabase } from '../support/database.ts';
import { editorConfig } from '../support/editor.ts';

const database = await testDatabase();

/** A check whose one subject is classed by the value of `setting` its read ran with. */
const settingSeen = (setting: string, classes: string[]): DoctorCheck => ({
  name: setting,
  title: `${setting} as the doctor reads`,
  classes: () => classes.map((name) => ({ name, meaning: `read with ${setting} ${name}` })),
  function: `doctor_${setting}_seen`,
  subjectColumn: 'subject',
  functions: () => [
    { name: `doctor_${setting}_seen`, columns: { subject: 'text', class: 'text' }, select: sql`SELECT 'doctor'::text AS subject, current_setting(${setting}) AS class` },
  ],
});
const config: SyncConfig = {
  ...editorConfig,
  doctorChecks: [...editorConfig.doctorChecks, settingSeen('jit', ['on', 'off']), settingSeen('work_mem', ['server', doctorWorkMem])],
};

describe('the doctor\'s read settings', () => {
  it('reads with JIT off and its own work_mem, and leaves the connection as the server has it', async () => {
    const server = async () => (await database.pool.query<{ jit: string; work_mem: string }>(`SELECT current_setting('jit') AS jit, current_setting('work_mem') AS work_mem`)).rows[0];
    const before = await server();
    const report = await doctorReport(database, config);
    expect(report.checks.jit?.classes).toMatchObject({ on: { count: 0 }, off: { count: 1 } });
    expect(report.checks.work_mem?.classes[doctorWorkMem]).toMatchObject({ count: 1 });
    const after = await Promise.all(Array.from({ length: 3 }, server));
    expect(after).toEqual([before, before, before]);
  });

  it('lets a query of its functions run on parallel workers', async () => {
    await doctorFunctionsEnsure(database, editorConfig);
    const client = await database.pool.connect();
    try {
      await client.query('BEGIN');
      // Parallel plans made free, as they are worth it over a large mirror.
      await client.query(`SET LOCAL parallel_setup_cost = 0; SET LOCAL parallel_tuple_cost = 0; SET LOCAL min_parallel_table_scan_size = 0; SET LOCAL min_parallel_index_scan_size = 0`);
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT count(*) FROM connect_sync.doctor_missing_rows()`);
      expect(rows.map((row) => row['QUERY PLAN']).join('\n')).toMatch(/Gather/);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
