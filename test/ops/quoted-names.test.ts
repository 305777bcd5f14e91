/**
 * Names that need quotes, everywhere a declaration puts them into SQL: a mirror schema with a
 * space, capitals and a double quote (Heroku Connect's add-on may be set up with any schema
 * name); a host's source schema, tables and columns likewise; mirror columns that are reserved
 * words (`select`, `user`; Connect's names are Salesforce's lower-cased, so nothing else there
 * needs quotes); and a host DoctorCheck over that mirror schema whose column name needs quotes.
 * The doctor and repair run over them, and jobs sync through the worker into that schema.
 */
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { pgSchema, text, uuid, varchar } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { connectSync } from '../../src/connect-sync.ts';
import { ConnectSim } from '../../src/connect-sim/connect-sim.ts';
import { devDatabasePrepare } from '../../src/connect-sim/dev-database.ts';
import { mirrorTablesCreate } from '../../src/connect-sim/mirror-tables.ts';
import type { Database } from '../../src/db/database.ts';
import { sqlIdentifier } from '../../src/db/sql-names.ts';
import { silentLogger } from '../../src/log.ts';
import { connectTable } from '../../src/mirror/connect-table.ts';
import { defineMirrorObject, MirrorObjectDeclarationError } from '../../src/mirror/define.ts';
import { MirrorObjectSetError } from '../../src/mirror/object-set.ts';
import { uuidId } from '../../src/mirror/payload-ids.ts';
import type { DoctorCheck } from '../../src/ops/doctor-check.ts';
import { doctorReport } from '../../src/ops/doctor-report.ts';
import { repairApply, repairPlan } from '../../src/ops/repair.ts';
import { migrateQueue } from '../../src/schema/migrate.ts';
import { syncConfigResolve } from '../../src/sync-config.ts';
import { z } from 'zod';
import { testDatabase } from '../support/database.ts';
import { jobsRead } from '../support/queue.ts';
import { waitFor } from '../support/wait.ts';

const mirrorSchema = 'Sales Force"x';
const hostSchema = pgSchema('Host "App"');
const units = hostSchema.table('Org Units', { id: uuid('Unit Id').primaryKey(), name: text('Unit "Name"').notNull() });
const staff = hostSchema.table('Staff Members', { id: uuid('Staff Id').primaryKey(), unitId: uuid('Unit Ref').notNull() });

const unit = defineMirrorObject({
  name: 'Org_Unit__c',
  record: 'Unit',
  table: connectTable('org_unit__c', 'unit_id__c', { unit_id__c: varchar({ length: 36 }), select: varchar({ length: 80 }) }, { schema: mirrorSchema }),
  externalId: 'unit_id__c',
  externalIdField: 'Unit_Id__c',
  queue: 'quoted-unit',
  payload: z.strictObject({ unitId: uuidId }),
  payloadKey: 'unitId',
  source: { table: units, id: units.id },
  fields: { unit_id__c: units.id, select: units.name },
  write: 'upsert',
});
const memberColumns = () => ({ staff_id__c: varchar({ length: 36 }), unit__r__unit_id__c: varchar({ length: 36 }), user: varchar({ length: 36 }) });
const member = defineMirrorObject({
  name: 'Staff_Member__c',
  record: 'Staff member',
  table: connectTable('staff_member__c', 'staff_id__c', memberColumns(), { schema: mirrorSchema }),
  externalId: 'staff_id__c',
  externalIdField: 'Staff_Id__c',
  queue: 'quoted-staff',
  payload: z.strictObject({ staffId: uuidId }),
  payloadKey: 'staffId',
  source: { table: staff, id: staff.id },
  fields: { staff_id__c: staff.id, unit__r__unit_id__c: staff.unitId, user: staff.id },
  write: 'upsert',
});

/** A host's check over the mirror schema: units by whether Salesforce has them, named by a column that needs quotes. */
const unitKey = 'Unit "Key"; DROP';
const unitsCheck: DoctorCheck = {
  name: 'units',
  title: 'Units, by whether Salesforce has them',
  classes: () => [
    { name: 'in_salesforce', meaning: 'the mirror row has its sfid' },
    { name: 'unsent', meaning: 'the mirror row has no sfid yet' },
  ],
  function: 'doctor_Units "Sent"',
  subjectColumn: unitKey,
  functions: () => [
    {
      name: 'doctor_Units "Sent"',
      columns: { [unitKey]: 'text', class: 'text' },
      select: sql`SELECT m.unit_id__c AS ${sqlIdentifier(unitKey)}, CASE WHEN m.sfid IS NULL THEN 'unsent' ELSE 'in_salesforce' END AS class FROM ${unit.table} m`,
    },
  ],
};

async function hostTablesCreate(database: Database): Promise<void> {
  await database.pool.query(`CREATE SCHEMA "Host ""App""";
    CREATE TABLE "Host ""App"""."Org Units" ("Unit Id" uuid PRIMARY KEY, "Unit ""Name""" text NOT NULL);
    CREATE TABLE "Host ""App"""."Staff Members" ("Staff Id" uuid PRIMARY KEY, "Unit Ref" uuid NOT NULL)`);
}

/** A mirror row, read by the schema's name written out here, not through the declaration. */
async function mirrorRow(database: Database, table: string, column: string, key: string): Promise<Record<string, unknown> | undefined> {
  const { rows } = await database.pool.query(`SELECT * FROM "Sales Force""x".${table} WHERE ${column} = $1`, [key]);
  return rows[0];
}

describe('a declared mirror schema', () => {
  it('is one for all the objects, and never public', () => {
    const elsewhere = defineMirrorObject({ ...member, table: connectTable('staff_member__c', 'staff_id__c', memberColumns()) });
    expect(elsewhere.mirrorSchema).toBe('salesforce');
    expect(() => syncConfigResolve({ objects: [unit, elsewhere] })).toThrow(MirrorObjectSetError);
    expect(() => syncConfigResolve({ objects: [unit, elsewhere] })).toThrow('Org_Unit__c\'s mirror table is in schema Sales Force"x and Staff_Member__c\'s in salesforce');
    expect(() => connectTable('staff_member__c', 'staff_id__c', memberColumns(), { schema: 'public' })).toThrow(MirrorObjectDeclarationError);
  });
});

describe('doctor and repair over names that need quotes', () => {
  it('find and heal a FAILED row and a missing one, and run a host check over the mirror schema', async () => {
    const database = await testDatabase();
    const config = syncConfigResolve({ objects: [unit, member], doctorChecks: [unitsCheck] });
    expect(config.objects.mirrorSchema).toBe(mirrorSchema);
    await hostTablesCreate(database);
    await mirrorTablesCreate(database, config.objects, silentLogger);
    await migrateQueue(database, config, silentLogger);
    const [synced, missing, person] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    await database.db.insert(units).values([{ id: synced, name: 'Synced' }, { id: missing, name: 'Missing' }]);
    await database.db.insert(staff).values({ id: person, unitId: synced });
    await database.pool.query(`INSERT INTO "Sales Force""x".org_unit__c (unit_id__c, sfid, _hc_lastop) VALUES ($1, 'a00000000000000AAA', 'SYNCED')`, [synced]);
    await database.pool.query(`INSERT INTO "Sales Force""x".staff_member__c (staff_id__c, unit__r__unit_id__c, _hc_lastop, _hc_err) VALUES ($1, $2, 'FAILED', $3)`, [
      person,
      synced,
      `{"message":"Foreign key external ID: ${synced} not found for field Unit_Id__c in entity Org_Unit__c"}`,
    ]);

    const report = await doctorReport(database, config);
    const health = Object.fromEntries(report.objects.map((object) => [object.object, object]));
    expect(health.Org_Unit__c!.missingRows).toEqual({ count: 1, examples: [missing] });
    expect(health.Staff_Member__c!.failedOnLookup[0]!.parentSynced).toEqual({ count: 1, examples: [person] });
    expect(report.checks.units).toMatchObject({ count: 1, classes: { in_salesforce: { count: 1, examples: [synced] }, unsent: { count: 0 } } });

    const plan = await repairPlan(database, config);
    expect(plan.items.map((item) => [item.action, item.recordId]).sort()).toEqual([['failedRowReplace', person], ['jobEnqueue', missing]]);
    expect(await repairApply(database, config.objects, plan, { enabled: true, log: silentLogger })).toEqual({ rowsDeleted: 1, jobsEnqueued: 2, itemsSkipped: 0 });
    expect(await repairPlan(database, config)).toMatchObject({ items: [] });
    expect(await mirrorRow(database, 'staff_member__c', 'staff_id__c', person)).toBeUndefined();
  });

  it('sync through the worker into the mirror schema: the member waits for its unit and lands once the unit has its sfid', async () => {
    const database = await testDatabase();
    await hostTablesCreate(database);
    const sync = connectSync({ objects: [member, unit], database, log: silentLogger });
    await devDatabasePrepare(database, sync.config, silentLogger);
    const worker = await sync.workerStart({ pollingIntervalSeconds: 0.5, timeScale: 0.01 });
    const sim = new ConnectSim(database, sync.config.objects, { timers: false });
    await sim.start();
    try {
      const [unitId, staffId] = [crypto.randomUUID(), crypto.randomUUID()];
      await drizzle({ client: database.pool }).transaction(async (tx) => {
        await tx.insert(units).values({ id: unitId, name: 'Harbour Office' });
        await tx.insert(staff).values({ id: staffId, unitId });
        await sync.enqueue(unit, { unitId }, { tx });
        await sync.enqueue(member, { staffId }, { tx });
      });
      await waitFor('the unit row', () => mirrorRow(database, 'org_unit__c', 'unit_id__c', unitId));
      await waitFor('the member job to wait on its unit', async () =>
        (await jobsRead(database, member.queueName)).some((job) => JSON.stringify(job.output ?? {}).includes('Org_Unit__c not yet synced')),
      );
      expect(await mirrorRow(database, 'staff_member__c', 'staff_id__c', staffId)).toBeUndefined();

      expect(await sim.drain()).toMatchObject({ pushed: 1, failed: 0 }); // Connect sends the unit: its row gets its sfid
      const row = await waitFor('the member row', () => mirrorRow(database, 'staff_member__c', 'staff_id__c', staffId));
      expect(row).toMatchObject({ unit__r__unit_id__c: unitId, user: staffId });
      expect(await sim.drain()).toMatchObject({ pushed: 1, failed: 0 });
      expect(await mirrorRow(database, 'staff_member__c', 'staff_id__c', staffId)).toMatchObject({ _hc_lastop: 'SYNCED', _hc_err: null });
      const { rows } = await database.pool.query(
        `SELECT to_regclass('salesforce.staff_member__c') AS elsewhere, (SELECT count(*)::int FROM "Sales Force""x"._trigger_log_archive) AS sent`,
      );
      expect(rows[0]).toEqual({ elsewhere: null, sent: 2 });

      // A stand-in on timers that only a NOTIFY on the schema's channel can wake in time.
      const listening = new ConnectSim(database, sync.config.objects, { minIntervalSeconds: 0, pollIntervalSeconds: 3600, readPollIntervalSeconds: 3600 });
      await listening.start();
      try {
        await database.db.update(units).set({ name: 'Harbour Office, East' }).where(sql`${units.id} = ${unitId}`);
        await database.db.transaction((tx) => sync.enqueue(unit, { unitId }, { tx }));
        await waitFor('the renamed unit sent on NOTIFY', async () => (await mirrorRow(database, 'org_unit__c', 'unit_id__c', unitId))?._hc_lastop === 'UPDATED');
      } finally {
        await listening.stop();
      }
    } finally {
      await sim.stop();
      await worker.stop(2000);
      await sync.stop();
    }
  });
});
