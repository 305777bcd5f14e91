// The app as its users see it, on a real Postgres (DATABASE_URL): an employee is not written to
// Salesforce's mirror while its account has no sfid, lands once it has one, and a rolled-back
// transaction leaves no job. The worker runs in its own process, as in production.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { connectSimCreate } from 'connect-sync/testing';
import { accountOpen, appDatabase } from '../src/app.js';
import { appMigrate } from '../src/migrate.js';
import { account } from '../src/objects.js';
import { accounts } from '../src/schema.js';
import { appOpen } from '../src/sync.js';

let app;
let worker;
let sim;

async function waitFor(what, check, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function mirrorRow(table, column, value) {
  const { rows } = await app.pool.query(`SELECT * FROM salesforce.${table} WHERE ${column} = $1`, [String(value)]);
  return rows[0];
}

before(async () => {
  await appMigrate({ mirror: true });
  app = await appOpen();
  // Heroku Connect's stand-in, driven by hand: nothing reaches "Salesforce" until drain().
  sim = connectSimCreate(app.sync.database, app.sync.config, { timers: false });
  await sim.start();
  worker = spawn(process.execPath, [fileURLToPath(new URL('../src/worker.js', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
  let output = '';
  worker.stdout.on('data', (chunk) => (output += chunk));
  await waitFor('the worker to start', () => output.includes('worker started'));
});

after(async () => {
  worker?.kill('SIGTERM');
  await sim?.stop();
  await app?.close();
});

test('an employee waits for its account to reach Salesforce, then lands', async () => {
  const db = appDatabase(app.pool);
  const opened = await accountOpen(db, app.sync, { name: 'Gurnard Shipwrights', firstEmployee: 'Ada Lovelace' });
  await waitFor('the account mirror row', () => mirrorRow('account', 'account_uuid__c', opened.account.id));
  await waitFor('the employee job to wait on its account', async () => {
    const { rows } = await app.pool.query(`SELECT 1 FROM pgboss.job WHERE name = 'salesforce-sync.employee' AND output::text LIKE '%Account not yet synced%'`);
    return rows.length > 0;
  });
  assert.equal(await mirrorRow('employee__c', 'employee_id__c', opened.employee.id), undefined, 'no employee row while its account has no sfid');

  await sim.drain(); // Connect pushes the account; its mirror row gets its sfid
  const row = await waitFor('the employee mirror row', () => mirrorRow('employee__c', 'employee_id__c', opened.employee.id));
  assert.equal(row.account__r__account_uuid__c, opened.account.id);
  await sim.drain(); // and pushes the employee, whose lookup now resolves
  const pushed = await mirrorRow('employee__c', 'employee_id__c', opened.employee.id);
  assert.equal(pushed._hc_lastop, 'SYNCED');
  assert.ok(pushed.sfid);
});

test('a rolled-back transaction leaves no job', async () => {
  const db = appDatabase(app.pool);
  const count = async () => (await app.pool.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'salesforce-sync.account'`)).rows[0].n;
  const before = await count();
  await assert.rejects(
    db.transaction(async (tx) => {
      const [created] = await tx.insert(accounts).values({ name: 'Never Was' }).returning();
      await app.sync.enqueue(account, { accountId: created.id }, { tx });
      throw new Error('the app changed its mind');
    }),
    /changed its mind/,
  );
  assert.equal(await count(), before);
});

test('the connect-sync command reads this app’s config and doctors its objects', async () => {
  const bin = fileURLToPath(new URL('../node_modules/.bin/connect-sync', import.meta.url));
  const cwd = fileURLToPath(new URL('..', import.meta.url));
  const result = await new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'doctor', '--json'], { cwd, env: { ...process.env, LOG_FORMAT: 'json' }, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.on('exit', (code) => resolve({ code, stdout }));
  });
  assert.equal(result.code, 0);
  const report = JSON.parse(result.stdout);
  assert.deepEqual(
    report.objects.map((found) => found.object),
    ['Account', 'Employee__c'],
  );
});
