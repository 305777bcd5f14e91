/**
 * A host app syncing its own objects through `connectSync()`: its own pool, Drizzle schema and
 * pg-boss; migrate makes queues but no app tables; the guard holds for its lookup; a rolled-back
 * transaction leaves no job; the doctor and repair see its objects.
 */
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { PgBoss } from 'pg-boss';
import { afterAll, describe, expect, it } from 'vitest';
import { mirrorObjectSet } from '../../src/advanced.ts';
import { connectSync, MirrorObjectSetError, MirrorObjectUnknownError, PayloadInvalidError } from '../../src/index.ts';
import { ConnectSim, devDatabasePrepare } from '../../src/testing.ts';
import { silentLogger } from '../../src/log.ts';
import { editor } from '../../src/editor/objects/editor.ts';
import { testDatabase } from '../support/database.ts';
import { jobsRead } from '../support/queue.ts';
import { mirrorRowRead } from '../support/records.ts';
import { waitFor } from '../support/wait.ts';
import { account, accounts, employee, employees, hostTablesMigrate } from './host-objects.ts';

const database = await testDatabase({ empty: true });
await hostTablesMigrate(database);
const pool = new pg.Pool({ connectionString: database.url, max: 4 });
const db = drizzle({ client: pool, schema: { accounts, employees } });
const boss = new PgBoss({ connectionString: database.url });
await boss.start();
const sync = connectSync({ objects: [employee, account], pool, boss, log: silentLogger });
afterAll(async () => {
  await sync.stop();
  await boss.stop({ graceful: false });
  await pool.end();
});

async function publicTables(): Promise<string[]> {
  const { rows } = await database.pool.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
  );
  return rows.map((row) => row.table_name);
}

describe('declaring a host app’s objects', () => {
  it('refuses, at start-up, a lookup whose parent object is not declared, naming the column', () => {
    expect(() => mirrorObjectSet([employee])).toThrow(MirrorObjectSetError);
    expect(() => mirrorObjectSet([employee])).toThrow(/Employee__c\.account__r__account_uuid__c .*account_uuid__c/);
  });

  it('orders parents before children whatever order they are declared in', () => {
    expect(sync.config.objects.objects.map((object) => object.name)).toEqual(['Account', 'Employee__c']);
  });
});

describe('a host app on its own pool and pg-boss', () => {
  it('migrates the queues of its objects and creates no app tables of its own; a second run changes nothing', async () => {
    await devDatabasePrepare(sync.database, sync.config, silentLogger);
    await sync.migrate();
    expect(await publicTables()).toEqual(['accounts', 'employees']);
    const { rows } = await database.pool.query<{ name: string }>(`SELECT name FROM pgboss.queue WHERE name LIKE 'salesforce-sync.%' ORDER BY name`);
    expect(rows.map((row) => row.name)).toEqual(['salesforce-sync.account', 'salesforce-sync.dead-letter', 'salesforce-sync.employee']);
  });

  it('writes the employee only once its account is in Salesforce', async () => {
    const worker = await sync.workerStart({ pollingIntervalSeconds: 0.5, timeScale: 0.01 });
    const sim = new ConnectSim(sync.database, sync.config.objects, { timers: false });
    await sim.start();
    try {
      const hired = await db.transaction(async (tx) => {
        const [company] = await tx.insert(accounts).values({ name: 'Gurnard Shipwrights' }).returning();
        const [person] = await tx.insert(employees).values({ accountId: company!.id, fullName: 'Ada Lovelace' }).returning();
        await sync.enqueue(account, { accountId: company!.id }, { tx });
        await sync.enqueue(employee, { employeeId: person!.id }, { tx });
        return { accountId: company!.id, employeeId: String(person!.id) };
      });
      await waitFor('the account row', () => mirrorRowRead(database, account, hired.accountId));
      await waitFor('the employee job to wait on its account', async () => {
        const jobs = await jobsRead(database, employee.queueName);
        return jobs.some((job) => JSON.stringify(job.output ?? {}).includes('Account not yet synced'));
      });
      expect(await mirrorRowRead(database, employee, hired.employeeId)).toBeUndefined();

      await sim.drain(); // Connect pushes the account: its row gets its sfid
      const row = await waitFor('the employee row', () => mirrorRowRead(database, employee, hired.employeeId));
      expect(row).toMatchObject({ name: 'Ada Lovelace', account__r__account_uuid__c: hired.accountId });
      await sim.drain();
      expect(await mirrorRowRead(database, employee, hired.employeeId)).toMatchObject({ _hc_lastop: 'SYNCED', _hc_err: null });
    } finally {
      await sim.stop();
      await worker.stop(2000);
    }
  });

  it('leaves no job behind when the host’s transaction rolls back', async () => {
    const before = (await jobsRead(database, account.queueName)).length;
    await expect(
      db.transaction(async (tx) => {
        const [company] = await tx.insert(accounts).values({ name: 'Never Was' }).returning();
        await sync.enqueue(account, { accountId: company!.id }, { tx });
        throw new Error('the app changed its mind');
      }),
    ).rejects.toThrow('the app changed its mind');
    expect(await jobsRead(database, account.queueName)).toHaveLength(before);
  });

  it('refuses a payload of the wrong shape at compile time and at run time, and an object it was not given', async () => {
    await expect(
      // @ts-expect-error: an Employee__c job names an employeeId, not an accountId
      db.transaction((tx) => sync.enqueue(employee, { accountId: 'nonsense' }, { tx })),
    ).rejects.toThrow(PayloadInvalidError);
    // @ts-expect-error: a payload is an object, never a string
    await expect(db.transaction((tx) => sync.enqueue(employee, 'nonsense', { tx }))).rejects.toThrow(PayloadInvalidError);
    await expect(db.transaction((tx) => sync.enqueue(editor, { schoolId: crypto.randomUUID() }, { tx }))).rejects.toThrow(MirrorObjectUnknownError);
  });

  it('doctors and repairs its objects: a row Connect left FAILED on an account that has since arrived', async () => {
    const [company] = await db.insert(accounts).values({ name: 'Cowes Chandlery' }).returning();
    const [person] = await db.insert(employees).values({ accountId: company!.id, fullName: 'Grace Hopper' }).returning();
    const error = JSON.stringify({ message: `Foreign key external ID: ${company!.id} not found for field Account_UUID__c in entity Account`, errorCode: 'INVALID_FIELD' });
    const client = await database.pool.connect();
    try {
      // Written as Connect writes, so the stand-in's triggers keep the FAILED state as given.
      await client.query(`BEGIN; SET LOCAL xmlbinary = 'hex'`);
      await client.query(`INSERT INTO salesforce.account (account_uuid__c, name, sfid, _hc_lastop) VALUES ($1, 'Cowes Chandlery', '001000000000001AAA', 'SYNCED')`, [company!.id]);
      await client.query(`INSERT INTO salesforce.employee__c (employee_id__c, name, account__r__account_uuid__c, _hc_lastop, _hc_err) VALUES ($1, 'Grace Hopper', $2, 'FAILED', $3)`, [
        String(person!.id),
        company!.id,
        error,
      ]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const report = await sync.doctor();
    const health = report.objects.find((found) => found.object === 'Employee__c');
    expect(health?.failedOnLookup).toEqual([
      { lookup: 'account__r__account_uuid__c', parent: 'Account', parentSynced: { count: 1, examples: [String(person!.id)] }, parentMissing: { count: 0, examples: [] } },
    ]);
    const plan = await sync.repairPlan();
    expect(plan.items).toEqual([expect.objectContaining({ action: 'failedRowReplace', recordId: String(person!.id) })]);
    expect(await sync.repairApply(plan)).toEqual({ rowsDeleted: 1, jobsEnqueued: 1, itemsSkipped: 0 });
    expect((await sync.repairPlan()).items).toEqual([]);
  });
});
