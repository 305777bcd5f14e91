/**
 * Names a host writes are quoted wherever they reach SQL: a DoctorCheck whose function and subject
 * column need quotes (a space, a double quote, upper case) reports as any other.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { DoctorCheck } from '../../src/ops/doctor-check.ts';
import { doctorReport } from '../../src/ops/doctor-report.ts';
import { editorPreset } from '../../src/editor/preset.ts';
import { sqlIdentifier } from '../../src/db/sql-names.ts';
import { syncConfigResolve } from '../../src/sync-config.ts';
import { testDatabase } from '../support/database.ts';
import { schoolInsert } from '../support/records.ts';

const subjectColumn = 'School "Id"; DROP';
const oddCheck: DoctorCheck = {
  name: 'odd',
  title: 'Schools, by a check with odd names',
  classes: () => [{ name: 'every', meaning: 'every school' }],
  function: 'doctor_Odd "Names"',
  subjectColumn,
  functions: () => [
    {
      name: 'doctor_Odd "Names"',
      columns: { [subjectColumn]: 'text', class: 'text' },
      select: sql`SELECT s.id::text AS ${sqlIdentifier(subjectColumn)}, 'every'::text AS class FROM schools s`,
    },
  ],
};

describe("a host's DoctorCheck whose names need quotes", () => {
  it('is created and read with its names quoted', async () => {
    const database = await testDatabase();
    const school = await schoolInsert(database);
    const config = syncConfigResolve({ ...editorPreset, doctorChecks: [...(editorPreset.doctorChecks ?? []), oddCheck] });
    const report = await doctorReport(database, config);
    expect(report.checks.odd).toMatchObject({ count: 1, classes: { every: { count: 1, examples: [school.id] } } });
  });
});
