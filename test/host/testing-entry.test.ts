/**
 * connect-sync/testing, as a host's own tests use it: a database of the file's own with the host's
 * tables, queue and mirror; the sync run inline, parent guard included; the Connect stand-in.
 */
import { fileURLToPath } from 'node:url';
import { connectSimCreate, syncInline, testDatabaseCreate } from 'connect-sync/testing';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { defineConfig } from '../../src/sync-config.ts';
import { account, employee } from './host-objects.ts';

const config = defineConfig({
  objects: [account, employee],
  appMigrations: { folder: fileURLToPath(new URL('../../examples/host-app/migrations', import.meta.url)) },
});
// The run's server (a host passes nothing: DATABASE_URL names it).
const database = await testDatabaseCreate(config, { url: inject('adminUrl') });
afterAll(() => database.close());

describe('connect-sync/testing', () => {
  it("gives a file its own database, syncs inline with the parent guard, and pushes through the stand-in", async () => {
    const { rows } = await database.pool.query<{ account_id: string; employee_id: string }>(
      `WITH a AS (INSERT INTO accounts (name) VALUES ('Acme') RETURNING id)
       INSERT INTO employees (account_id, full_name) SELECT id, 'Ada' FROM a RETURNING account_id, id AS employee_id`,
    );
    const { account_id: accountId, employee_id: employeeId } = rows[0]!;
    expect(await syncInline(database, config, employee, [{ employeeId: Number(employeeId) }])).toMatchObject([{ status: 'waiting' }]);
    expect(await syncInline(database, config, account, [{ accountId }])).toMatchObject([{ status: 'written' }]);

    const sim = connectSimCreate(database, config, { timers: false });
    await sim.drain();
    await sim.drain();
    expect(await syncInline(database, config, employee, [{ employeeId: Number(employeeId) }])).toMatchObject([{ status: 'written' }]);
    await sim.stop();
  });
});
