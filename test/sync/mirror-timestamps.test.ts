/**
 * Mirror timestamps to the microsecond: every timestamp field of every editor object, and of a
 * host's declarations, lands as the app holds it (Rails keeps microseconds; so does Postgres),
 * compared as Postgres compares them, whatever the session's TimeZone.
 */
import { randomUUID } from 'node:crypto';
import { getTableName, is, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { PgColumn, pgTable, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { mirrorTableSql } from '../../src/connect-sim/mirror-tables.ts';
import { sqlIdentifier } from '../../src/db/sql-names.ts';
import { editorObjects } from '../../src/editor/preset.ts';
import { classroom } from '../../src/editor/objects/classroom.ts';
import { contactClassroomAffiliation } from '../../src/editor/objects/contact-classroom-affiliation.ts';
import { contactEditorAffiliation } from '../../src/editor/objects/contact-editor-affiliation.ts';
import { contact } from '../../src/editor/objects/contact.ts';
import { editor } from '../../src/editor/objects/editor.ts';
import { lesson } from '../../src/editor/objects/lesson.ts';
import { connectTable } from '../../src/mirror/connect-table.ts';
import { defineMirrorObject } from '../../src/mirror/define.ts';
import { mirrorObjectSet, type AnyMirrorObject } from '../../src/mirror/object-set.ts';
import { uuidId } from '../../src/mirror/payload-ids.ts';
import { syncBatch } from '../../src/sync/sync-batch.ts';
import { testDatabase } from '../support/database.ts';
import { syncOneOn } from '../support/sync-inline.ts';
import { classTeacherInsert, lessonInsert, mirrorRowInsert, roleInsert, schoolClassInsert, schoolInsert } from '../support/records.ts';
import { account, hostTablesMigrate } from '../host/host-objects.ts';
import type { Database } from '../../src/db/database.ts';

const database = await testDatabase();
const syncOne = syncOneOn(database);

/** The mirror columns of `object` that are timestamps, read off its declaration. */
function timestampFields(object: AnyMirrorObject): string[] {
  return Object.keys(object.fields).filter((column) => object.columnTypes[column]?.startsWith('timestamp'));
}

/**
 * Sets each app column behind `values`' mirror fields to its value, in SQL (a JavaScript Date
 * cannot hold microseconds), on the record `recordId` of `object`.
 */
async function appTimestampsSet(on: Database, object: AnyMirrorObject, recordId: string, values: Record<string, string>): Promise<void> {
  for (const [field, value] of Object.entries(values)) {
    const column = object.fields[field];
    if (!is(column, PgColumn)) throw new Error(`${object.name}.${field} is not read from a column`);
    await on.db.execute(
      sql`UPDATE ${sqlIdentifier(getTableName(column.table))} SET ${sqlIdentifier(column.name)} = ${value}
          WHERE ${sqlIdentifier(object.source.id.name)} = ${recordId}::${sql.raw(object.source.id.getSQLType())}`,
    );
  }
}

/** The mirror row's timestamps as Postgres prints them, and whether each equals `expected` as a timestamp. */
async function mirrorTimestampsRead(on: Database, object: AnyMirrorObject, externalId: string, expected: Record<string, string>) {
  const columns = Object.keys(expected);
  const { rows } = await on.db.execute<Record<string, unknown>>(
    sql`SELECT ${sql.join(
      columns.map((column) => sql`${sqlIdentifier(column)}::text AS ${sqlIdentifier(column)}`),
      sql`, `,
    )} FROM ${object.table} WHERE ${sqlIdentifier(object.externalId)} = ${externalId}`,
  );
  return rows[0];
}

// Distinct instants, each with six fractional digits; the app's columns are timestamptz and the
// mirror's UTC wall clock, so `+00` in, no zone out.
const micro = (n: number) => ({ app: `2026-06-0${n} 13:59:07.47171${n}+00`, mirror: `2026-06-0${n} 13:59:07.47171${n}` });

async function expectLands(object: AnyMirrorObject, recordId: string, externalId: string, fields: readonly string[]) {
  const values = Object.fromEntries(fields.map((field, index) => [field, micro(index + 1)]));
  await appTimestampsSet(database, object, recordId, Object.fromEntries(Object.entries(values).map(([field, value]) => [field, value.app])));
  expect(await syncOne(object, object.payloadFor(recordId))).toMatchObject({ status: 'written' });
  expect(await mirrorTimestampsRead(database, object, externalId, values as never)).toEqual(
    Object.fromEntries(Object.entries(values).map(([field, value]) => [field, value.mirror])),
  );
}

describe('editor timestamps to the microsecond', () => {
  it('covers every timestamp field the six objects declare', () => {
    expect(Object.fromEntries(editorObjects.map((object) => [object.name, timestampFields(object)]))).toEqual({
      Editor__c: ['verifiedat__c', 'createdat__c', 'updatedat__c', 'rejectedat__c', 'discardedat__c'],
      Contact: [],
      Contact_Editor_Affiliation__c: ['offboardedat__c', 'createdat__c', 'updatedat__c'],
      Classroom__c: ['createdat__c', 'updatedat__c', 'lastsyncdate__c'],
      Contact_Classroom_Affiliation__c: ['createdat__c', 'updatedat__c'],
      Lesson__c: ['createdat__c', 'updatedat__c', 'lastsyncdate__c'],
    });
    expect(contact.columnTypes).not.toHaveProperty('createdat__c');
  });

  it('Editor__c: verified, created, updated and discarded; rejected on a school of its own', async () => {
    const verified = await schoolInsert(database);
    await expectLands(editor, verified.id, verified.id, ['verifiedat__c', 'createdat__c', 'updatedat__c', 'discardedat__c']);
    // A school is verified or rejected, never both.
    const rejected = await schoolInsert(database);
    await expectLands(editor, rejected.id, rejected.id, ['rejectedat__c']);
  });

  it('Contact_Editor_Affiliation__c: offboarded, created and updated', async () => {
    const school = await schoolInsert(database);
    const role = await roleInsert(database, { schoolId: school.id, role: 'owner' });
    await mirrorRowInsert(database, editor, school.id, { synced: true });
    await mirrorRowInsert(database, contact, role.userId, { synced: true });
    await expectLands(contactEditorAffiliation, String(role.id), String(role.id), ['offboardedat__c', 'createdat__c', 'updatedat__c']);
  });

  it('Classroom__c, Contact_Classroom_Affiliation__c and Lesson__c: created and updated', async () => {
    const school = await schoolInsert(database);
    await mirrorRowInsert(database, editor, school.id, { synced: true });
    const schoolClass = await schoolClassInsert(database, { schoolId: school.id });
    await expectLands(classroom, schoolClass.id, schoolClass.id, ['createdat__c', 'updatedat__c']);

    await database.db.execute(sql`UPDATE salesforce.classroom__c SET sfid = 'a01000000000000001' WHERE classroomuuid__c = ${schoolClass.id}`);
    const teacher = await classTeacherInsert(database, { schoolClassId: schoolClass.id });
    await mirrorRowInsert(database, contact, teacher.teacherId, { synced: true });
    await expectLands(contactClassroomAffiliation, teacher.id, teacher.id, ['createdat__c', 'updatedat__c']);

    const lessonRow = await lessonInsert(database, { schoolId: school.id, schoolClassId: schoolClass.id });
    await expectLands(lesson, lessonRow.id, lessonRow.id, ['createdat__c', 'updatedat__c']);
  });

  it('LastSyncDate__c is the time of the sync to the microsecond', async () => {
    const school = await schoolInsert(database);
    await mirrorRowInsert(database, editor, school.id, { synced: true });
    const schoolClass = await schoolClassInsert(database, { schoolId: school.id });
    const clock = async () =>
      (await database.pool.query<{ now: string }>(`SELECT (clock_timestamp() AT TIME ZONE 'UTC')::text AS now`)).rows[0]!.now;
    const before = await clock();
    await syncOne(classroom, { schoolClassId: schoolClass.id });
    const after = await clock();
    const { rows } = await database.pool.query<{ within: boolean }>(
      `SELECT lastsyncdate__c BETWEEN $1::timestamp AND $2::timestamp AS within FROM salesforce.classroom__c WHERE classroomuuid__c = $3`,
      [before, after, schoolClass.id],
    );
    expect(rows[0]?.within).toBe(true);
  });

  it('an unchanged record leaves its row untouched; a change of one microsecond is written', async () => {
    const school = await schoolInsert(database);
    await expectLands(editor, school.id, school.id, ['updatedat__c']);
    const stamp = async () =>
      (await database.pool.query<{ xmin: string }>(`SELECT xmin::text FROM salesforce.editor__c WHERE editoruuid__c = $1`, [school.id])).rows[0]!.xmin;
    const written = await stamp();
    await syncOne(editor, { schoolId: school.id });
    expect(await stamp()).toBe(written);

    await appTimestampsSet(database, editor, school.id, { updatedat__c: '2026-06-01 13:59:07.471712+00' });
    await syncOne(editor, { schoolId: school.id });
    expect(await mirrorTimestampsRead(database, editor, school.id, { updatedat__c: '' })).toEqual({ updatedat__c: '2026-06-01 13:59:07.471712' });
  });
});

describe('a host app’s timestamps to the microsecond', async () => {
  const host = await testDatabase({ empty: true });
  await hostTablesMigrate(host);
  // A host's own table with a zone-less timestamp(6): it lands exactly as the app holds it.
  const shifts = pgTable('shifts', {
    id: uuid('id').primaryKey().defaultRandom(),
    startedAt: timestamp('started_at', { precision: 6 }).notNull(),
  });
  const shift = defineMirrorObject({
    name: 'Shift__c',
    record: 'Shift',
    table: connectTable('shift__c', 'shift_uuid__c', { shift_uuid__c: varchar({ length: 36 }), startedat__c: timestamp() }),
    externalId: 'shift_uuid__c',
    queue: 'shift',
    payload: z.strictObject({ shiftId: uuidId }),
    payloadKey: 'shiftId',
    source: { table: shifts, id: shifts.id },
    fields: { shift_uuid__c: shifts.id, startedat__c: shifts.startedAt },
    write: 'upsert',
  });
  await host.pool.query(`CREATE SCHEMA IF NOT EXISTS salesforce; CREATE TABLE shifts (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), started_at timestamp(6) NOT NULL)`);
  for (const object of [account, shift]) for (const statement of mirrorTableSql(object)) await host.pool.query(statement);
  // The host's own pool, in a zone far from UTC: the mirror's UTC wall clock must not depend on it.
  const pool = new pg.Pool({ connectionString: host.url, max: 2, options: '-c TimeZone=America/New_York' });
  afterAll(() => pool.end());
  const hostDb = drizzle({ client: pool });
  const objects = mirrorObjectSet([account, shift]);
  const syncHost = async (object: AnyMirrorObject, data: object) =>
    (await syncBatch(hostDb, objects, object, [{ id: 'job-1', data }], { enabled: true })).get('job-1');

  it('a timestamptz column lands as UTC wall clock; a timestamp(6) column as it is', async () => {
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO accounts (name, created_at) VALUES ('Cowes Sailing', '2026-06-01 09:59:07.471714-04') RETURNING id`,
    );
    const accountId = rows[0]!.id;
    expect(await syncHost(account, { accountId })).toMatchObject({ status: 'written' });
    expect(await mirrorTimestampsRead(host, account, accountId, { createdat__c: '' })).toEqual({ createdat__c: '2026-06-01 13:59:07.471714' });

    const shiftId = randomUUID();
    await pool.query(`INSERT INTO shifts (id, started_at) VALUES ($1, '2026-06-01 13:59:07.471714')`, [shiftId]);
    expect(await syncHost(shift, { shiftId })).toMatchObject({ status: 'written' });
    expect(await mirrorTimestampsRead(host, shift, shiftId, { startedat__c: '' })).toEqual({ startedat__c: '2026-06-01 13:59:07.471714' });
  });
});
