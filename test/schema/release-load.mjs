// Run by upgrade.test.ts under plain node, with the earlier release's own code: `migrate` migrates
// the database as that release did; `load` leaves jobs in it as that release's app and worker
// would: records waiting on a parent, one job dead-lettered, then jobs pending with no worker.
// Arguments: the release's package folder, the database URL, the phase, and the plan as JSON.
import { pathToFileURL } from 'node:url';
import pg from 'pg';

const [packageFolder, url, phase, planJson] = process.argv.slice(2);
const plan = JSON.parse(planJson ?? '{}');
const { connectSync } = await import(pathToFileURL(`${packageFolder}/dist/index.js`).href);
const { editorPreset, editor, contactEditorAffiliation } = await import(pathToFileURL(`${packageFolder}/dist/editor/index.js`).href);
const pool = new pg.Pool({ connectionString: url, max: 4 });
const sync = connectSync({ pool, ...editorPreset });
const db = { executeSql: (text, values) => pool.query(text, values) };

async function until(what, check) {
  const deadline = Date.now() + 60_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`release-load: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
const count = async (text, values) => (await pool.query(text, values)).rows[0].n;

async function enqueue(schools, roles) {
  for (const schoolId of schools) await sync.enqueue(editor, { schoolId, isCreate: true }, { db });
  // Half the roles through the SQL function a host in another language calls.
  for (const [index, roleId] of roles.entries()) {
    if (index % 2 === 0) await sync.enqueue(contactEditorAffiliation, { roleId }, { db });
    else await pool.query('SELECT connect_sync.sync_enqueue($1, $2::jsonb, $3)', [contactEditorAffiliation.queueName, JSON.stringify({ roleId }), String(roleId)]);
  }
}

if (phase === 'migrate') {
  await sync.migrate({ mirror: true });
} else if (phase === 'load') {
  await enqueue(plan.waitingSchools, plan.waitingRoles);
  // The worker dead-letters a payload of the wrong shape at once.
  await pool.query('SELECT connect_sync.sync_enqueue($1, $2::jsonb, $3)', [contactEditorAffiliation.queueName, '{"roleId":"not a number"}', 'malformed-1']);
  const worker = await sync.workerStart({ summarySeconds: 0 });
  await until('the schools written and their roles waiting', async () =>
    (await count(`SELECT count(*)::int AS n FROM salesforce.editor__c WHERE editoruuid__c = ANY($1)`, [plan.waitingSchools])) === plan.waitingSchools.length &&
    (await count(`SELECT count(*)::int AS n FROM connect_sync.parent_wait`)) === plan.waitingRoles.length &&
    (await count(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'salesforce-sync.dead-letter'`)) === 1);
  await worker.stop();
  await enqueue(plan.pendingSchools, plan.pendingRoles);
}
await sync.stop();
await pool.end();
