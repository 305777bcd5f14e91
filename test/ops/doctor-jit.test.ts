/**
 * The doctor reads with PostgreSQL's JIT off (it spent longer compiling the doctor's large plans
 * than running them: 3.0 s against 0.9 s at 1.1 million mirror rows on PostgreSQL 15), and only
 * for its own reads: the pooled connection goes back with the server's setting.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { DoctorCheck } from '../../src/ops/doctor-check.ts';
import { doctorReport } from '../../src/ops/doctor-report.ts';
import type { SyncConfig } from '../../src/sync-config.ts';
import { testDatabase } from '../support/database.ts';
import { editorConfig } from '../support/editor.ts';

const database = await testDatabase();

/** A check whose one subject is classed by the JIT setting its read ran with. */
const jitSeen: DoctorCheck = {
  name: 'jit',
  title: 'JIT as the doctor reads',
  classes: () => [
    { name: 'on', meaning: 'read with JIT on' },
    { name: 'off', meaning: 'read with JIT off' },
  ],
  function: 'doctor_jit_seen',
  subjectColumn: 'subject',
  functions: () => [
    { name: 'doctor_jit_seen', columns: { subject: 'text', class: 'text' }, select: sql`SELECT 'doctor'::text AS subject, current_setting('jit') AS class` },
  ],
};
const config: SyncConfig = { ...editorConfig, doctorChecks: [...editorConfig.doctorChecks, jitSeen] };

describe('the doctor and JIT', () => {
  it('reads with JIT off, and leaves the connection as the server has it', async () => {
    const { rows } = await database.pool.query<{ jit: string }>(`SHOW jit`);
    const serverJit = rows[0]?.jit;
    const report = await doctorReport(database, config);
    expect(report.checks.jit?.classes).toMatchObject({ on: { count: 0 }, off: { count: 1 } });
    const after = await Promise.all(Array.from({ length: 3 }, () => database.pool.query<{ jit: string }>(`SHOW jit`)));
    expect(after.map((result) => result.rows[0]?.jit)).toEqual([serverJit, serverJit, serverJit]);
  });
});
