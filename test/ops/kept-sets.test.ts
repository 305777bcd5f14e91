/**
 * The doctor's kept sets: records with no mirror row (and schools without a synced affiliation)
 * are counted from the rows changed since the last count, and whole whenever a lost row could hide
 * from that. Each case is a way a record can lose its mirror row or become expected; the doctor
 * must see it at its next read, whichever way the count went.
 */
import { eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { contactEditorAffiliation } from '../../src/editor/objects/contact-editor-affiliation.ts';
import { editor } from '../../src/editor/objects/editor.ts';
import { schools } from '../../src/editor/app-schema.ts';
import { doctorReport, doctorReportText, type DoctorReport } from '../../src/ops/doctor-report.ts';
import { doctorFunctionsEnsure } from '../../src/ops/doctor-functions.ts';
import { repairPlan } from '../../src/ops/repair.ts';
import { databaseConnect } from '../../src/db/database.ts';
import { testDatabase } from '../support/database.ts';
import { editorConfig } from '../support/editor.ts';
import { mirrorRowInsert, roleInsert, schoolInsert } from '../support/records.ts';
import { waitFor } from '../support/wait.ts';

const database = await testDatabase();

/** The records the report finds with no mirror row of `object`. */
function missing(report: DoctorReport, objectName: string): string[] {
  const health = report.objects.find((object) => object.object === objectName);
  return health?.missingRows.examples ?? [];
}

function countOf(report: DoctorReport, set: string) {
  return report.counted.find((counted) => counted.set === set);
}

/** A school Salesforce has, with its Editor__c row synced. */
async function syncedSchool() {
  const school = await schoolInsert(database);
  await mirrorRowInsert(database, editor, school.id, { synced: true });
  return school;
}

/** Waits until the server's statistics count a deleted row of `table` (they are flushed within about a second of the commit). */
async function deletionCounted(table: string, before: number): Promise<void> {
  await waitFor(`the server to count the rows deleted from ${table}`, async () => {
    const { rows } = await database.pool.query<{ deleted: string }>(
      `SELECT pg_stat_clear_snapshot(), pg_stat_get_tuples_deleted($1::regclass)::text AS deleted`,
      [table],
    );
    return Number(rows[0]?.deleted) > before;
  });
}

async function deletedSoFar(table: string): Promise<number> {
  const { rows } = await database.pool.query<{ deleted: string }>(`SELECT pg_stat_clear_snapshot(), pg_stat_get_tuples_deleted($1::regclass)::text AS deleted`, [table]);
  return Number(rows[0]?.deleted);
}

beforeAll(async () => {
  await doctorFunctionsEnsure(database, editorConfig);
});

describe('the doctor counting records with no mirror row', () => {
  it('counts every record the first time, then only the rows changed since, and finds a school enqueued by nobody', async () => {
    await syncedSchool();
    const first = await doctorReport(database, editorConfig);
    expect(countOf(first, 'missing_rows:Editor__c')).toMatchObject({ count: 'whole', reason: 'never counted' });
    expect(missing(first, 'Editor__c')).toEqual([]);

    const lost = await schoolInsert(database);
    const next = await doctorReport(database, editorConfig);
    expect(countOf(next, 'missing_rows:Editor__c')).toMatchObject({ count: 'changes' });
    expect(missing(next, 'Editor__c')).toEqual([lost.id]);
    expect(next.checks.schools?.classes.noEditorRow?.examples).toEqual([lost.id]);
    expect(doctorReportText(next)).toContain('looked for among the rows changed since the last count');
    // Repair reads the same set.
    const plan = await repairPlan(database, editorConfig);
    expect(plan.items.filter((item) => item.action === 'jobEnqueue').map((item) => item.recordId)).toContain(lost.id);
    await mirrorRowInsert(database, editor, lost.id, { synced: true });
  });

  it('finds the staff of a school no longer rejected: a change to a joined row, not to the role', async () => {
    const school = await syncedSchool();
    await database.db.update(schools).set({ rejectedAt: new Date() }).where(eq(schools.id, school.id));
    const teacher = await roleInsert(database, { schoolId: school.id });
    // Staff of a rejected school have no affiliation by design.
    expect(missing(await doctorReport(database, editorConfig), contactEditorAffiliation.name)).not.toContain(String(teacher.id));
    await database.db.update(schools).set({ rejectedAt: null }).where(eq(schools.id, school.id));
    const report = await doctorReport(database, editorConfig);
    expect(countOf(report, `missing_rows:${contactEditorAffiliation.name}`)).toMatchObject({ count: 'changes' });
    expect(missing(report, contactEditorAffiliation.name)).toContain(String(teacher.id));
    await mirrorRowInsert(database, contactEditorAffiliation, String(teacher.id), { synced: true, values: { editor__r__editoruuid__c: school.id } });
  });

  it('counts whole after a mirror row was deleted, and finds its record: no row of the record changed', async () => {
    const school = await syncedSchool();
    expect(missing(await doctorReport(database, editorConfig), 'Editor__c')).toEqual([]);
    const before = await deletedSoFar('salesforce.editor__c');
    await database.db.execute(sql`DELETE FROM salesforce.editor__c WHERE editoruuid__c = ${school.id}`);
    await deletionCounted('salesforce.editor__c', before);
    const report = await doctorReport(database, editorConfig);
    expect(countOf(report, 'missing_rows:Editor__c')).toMatchObject({ count: 'whole', reason: 'rows of "salesforce"."editor__c" were deleted' });
    expect(missing(report, 'Editor__c')).toEqual([school.id]);
    expect(doctorReportText(report)).toContain('looked for over every record for missing_rows:Editor__c (rows of "salesforce"."editor__c" were deleted), among the rows changed');
    await mirrorRowInsert(database, editor, school.id, { synced: true });
  });

  it('counts whole after Connect truncated or made a mirror table again', async () => {
    expect(missing(await doctorReport(database, editorConfig), 'Editor__c')).toEqual([]);
    const { rows: kept } = await database.pool.query<{ editoruuid__c: string }>(`SELECT editoruuid__c FROM salesforce.editor__c`);
    await database.pool.query(`TRUNCATE salesforce.editor__c`);
    const report = await doctorReport(database, editorConfig);
    expect(countOf(report, 'missing_rows:Editor__c')).toMatchObject({ count: 'whole', reason: '"salesforce"."editor__c" was made again or truncated' });
    expect(missing(report, 'Editor__c').length).toBe(Math.min(kept.length, 5));
    expect(report.objects.find((object) => object.object === 'Editor__c')?.missingRows.count).toBe(kept.length);
    for (const { editoruuid__c } of kept) await mirrorRowInsert(database, editor, editoruuid__c, { synced: true });
  });

  it('counts whole on a server that keeps no table statistics, which could not show a lost row', async () => {
    const url = new URL(database.url);
    url.searchParams.set('options', '-c track_counts=off');
    const untracked = await databaseConnect(url.toString());
    try {
      const report = await doctorReport(untracked, editorConfig);
      expect(countOf(report, 'missing_rows:Editor__c')).toMatchObject({ count: 'whole', reason: 'the server does not count deleted rows (track_counts is off)' });
    } finally {
      await untracked.close();
    }
    expect(countOf(await doctorReport(database, editorConfig), 'missing_rows:Editor__c')).toMatchObject({ count: 'changes' });
  });

  it('never lists a record that has its row now, though the set still keeps it until a whole count', async () => {
    const lost = await schoolInsert(database);
    expect(missing(await doctorReport(database, editorConfig), 'Editor__c')).toEqual([lost.id]);
    await mirrorRowInsert(database, editor, lost.id, { synced: true });
    const healed = await doctorReport(database, editorConfig);
    expect(countOf(healed, 'missing_rows:Editor__c')).toMatchObject({ count: 'changes' });
    expect(countOf(healed, 'missing_rows:Editor__c')?.kept).toBeGreaterThan(0);
    expect(missing(healed, 'Editor__c')).toEqual([]);
    const { rows } = await database.pool.query<{ count: number }>(`SELECT count(*)::int AS count FROM connect_sync.doctor_missing_rows()`);
    expect(rows[0]?.count).toBe(0);
    const whole = await doctorReport(database, editorConfig, { whole: true });
    expect(countOf(whole, 'missing_rows:Editor__c')).toMatchObject({ count: 'whole', reason: 'asked for', kept: 0 });
  });
});
