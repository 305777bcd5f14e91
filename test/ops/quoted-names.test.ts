/**
 * Doctor and repair over names that need quotes: a host's source schema, tables and columns
 * (spaces, upper case, a double quote), and mirror columns that are reserved words (`select`,
 * `user`; Connect's names are Salesforce's lower-cased, so nothing else there needs quotes).
 */
import { sql } from 'drizzle-orm';
import { pgSchema, text, uuid, varchar } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { mirrorTablesCreate } from '../../src/connect-sim/mirror-tables.ts';
import { silentLogger } from '../../src/log.ts';
import { connectTable } from '../../src/mirror/connect-table.ts';
import { defineMirrorObject } from '../../src/mirror/define.ts';
import { uuidId } from '../../src/mirror/payload-ids.ts';
import { doctorReport } from '../../src/ops/doctor-report.ts';
import { repairApply, repairPlan } from '../../src/ops/repair.ts';
import { migrateQueue } from '../../src/schema/migrate.ts';
import { syncConfigResolve } from '../../src/sync-config.ts';
import { z } from 'zod';
import { testDatabase } from '../support/database.ts';

const hostSchema = pgSchema('Host "App"');
const units = hostSchema.table('Org Units', { id: uuid('Unit Id').primaryKey(), name: text('Unit "Name"').notNull() });
const staff = hostSchema.table('Staff Members', { id: uuid('Staff Id').primaryKey(), unitId: uuid('Unit Ref').notNull() });

const unit = defineMirrorObject({
  name: 'Org_Unit__c',
  record: 'Unit',
  table: connectTable('org_unit__c', 'unit_id__c', { unit_id__c: varchar({ length: 36 }), select: varchar({ length: 80 }) }),
  externalId: 'unit_id__c',
  externalIdField: 'Unit_Id__c',
  queue: 'quoted-unit',
  payload: z.strictObject({ unitId: uuidId }),
  payloadKey: 'unitId',
  source: { table: units, id: units.id },
  fields: { unit_id__c: units.id, select: units.name },
  write: 'upsert',
});
const member = defineMirrorObject({
  name: 'Staff_Member__c',
  record: 'Staff member',
  table: connectTable('staff_member__c', 'staff_id__c', { staff_id__c: varchar({ length: 36 }), unit__r__unit_id__c: varchar({ length: 36 }), user: varchar({ length: 36 }) }),
  externalId: 'staff_id__c',
  externalIdField: 'Staff_Id__c',
  queue: 'quoted-staff',
  payload: z.strictObject({ staffId: uuidId }),
  payloadKey: 'staffId',
  source: { table: staff, id: staff.id },
  fields: { staff_id__c: staff.id, unit__r__unit_id__c: staff.unitId, user: staff.id },
  write: 'upsert',
});

describe('doctor and repair over names that need quotes', () => {
  it('find and heal a FAILED row and a missing one', async () => {
    const database = await testDatabase();
    const config = syncConfigResolve({ objects: [unit, member] });
    await database.pool.query(`CREATE SCHEMA "Host ""App""";
      CREATE TABLE "Host ""App"""."Org Units" ("Unit Id" uuid PRIMARY KEY, "Unit ""Name""" text NOT NULL);
      CREATE TABLE "Host ""App"""."Staff Members" ("Staff Id" uuid PRIMARY KEY, "Unit Ref" uuid NOT NULL)`);
    await mirrorTablesCreate(database, config.objects, silentLogger);
    await migrateQueue(database, config, silentLogger);
    const [synced, missing, person] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    await database.db.insert(units).values([{ id: synced, name: 'Synced' }, { id: missing, name: 'Missing' }]);
    await database.db.insert(staff).values({ id: person, unitId: synced });
    await database.db.execute(sql`INSERT INTO ${unit.table} (unit_id__c, sfid, _hc_lastop) VALUES (${synced}, 'a00000000000000AAA', 'SYNCED')`);
    await database.db.execute(sql`INSERT INTO ${member.table} (staff_id__c, unit__r__unit_id__c, _hc_lastop, _hc_err)
      VALUES (${person}, ${synced}, 'FAILED', ${`{"message":"Foreign key external ID: ${synced} not found for field Unit_Id__c in entity Org_Unit__c"}`})`);

    const report = await doctorReport(database, config);
    const health = Object.fromEntries(report.objects.map((object) => [object.object, object]));
    expect(health.Org_Unit__c!.missingRows).toEqual({ count: 1, examples: [missing] });
    expect(health.Staff_Member__c!.failedOnLookup[0]!.parentSynced).toEqual({ count: 1, examples: [person] });

    const plan = await repairPlan(database, config);
    expect(plan.items.map((item) => [item.action, item.recordId]).sort()).toEqual([['failedRowReplace', person], ['jobEnqueue', missing]]);
    expect(await repairApply(database, config.objects, plan, { enabled: true, log: silentLogger })).toEqual({ rowsDeleted: 1, jobsEnqueued: 2, itemsSkipped: 0 });
    expect(await repairPlan(database, config)).toMatchObject({ items: [] });
  });
});
