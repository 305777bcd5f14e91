/**
 * Heroku Connect drops a mapping's mirror table and makes it again on a reload. Nothing of
 * connect-sync holds the table (a plain DROP TABLE succeeds); children waiting on a parent whose
 * table is gone go on waiting without spending an execution, and land once the table is back
 * with its rows' sfids. The object's own missing table is a real error, said in one line; the
 * doctor, repair and the waker say which table is missing, once, and go on.
 */
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { mirrorTablesCreate } from '../../src/connect-sim/mirror-tables.ts';
import { contactEditorAffiliation } from '../../src/editor/objects/contact-editor-affiliation.ts';
import { contact } from '../../src/editor/objects/contact.ts';
import { editor } from '../../src/editor/objects/editor.ts';
import { doctorReport } from '../../src/ops/doctor-report.ts';
import { reconcileRun } from '../../src/ops/reconciler.ts';
import { repairPlan } from '../../src/ops/repair.ts';
import { parentWakerStart } from '../../src/queue/parent-waker.ts';
import { deadLetterQueue } from '../../src/queue/queues.ts';
import { editorConfig, editorObjectSet } from '../support/editor.ts';
import { logCapture } from '../support/log.ts';
import { jobsRead } from '../support/queue.ts';
import { mirrorRowInsert, mirrorRowRead, roleInsert, schoolInsert } from '../support/records.ts';
import { testSyncWorker } from '../support/sync-worker.ts';
import { waitFor } from '../support/wait.ts';

// The wait schedule shrunk 50 times: waits re-run after 0.06 s, 0.36 s, 1.7 s … so each child
// meets the missing table several times while it is gone.
const captured = logCapture('info');
const { database, boss, sync } = await testSyncWorker({ timeScale: 0.02, log: captured.log });
const waker = parentWakerStart(boss, database.db, editorObjectSet, captured.log, { intervalSeconds: 0.2 });
afterAll(() => waker.stop());

const children = 20;

async function waitsByKey(): Promise<Map<string, number>> {
  const { rows } = await database.db.execute<{ record_key: string; waits: number }>(sql`SELECT record_key, waits FROM connect_sync.parent_wait`);
  return new Map(rows.map((row) => [row.record_key, row.waits]));
}

async function affiliationJobs(keys: readonly string[]) {
  return (await jobsRead(database, contactEditorAffiliation.queueName)).filter((job) => keys.includes(job.singleton_key ?? ''));
}

async function deadLetters(): Promise<number> {
  const { rows } = await database.db.execute<{ count: number }>(sql`SELECT count(*)::int AS count FROM pgboss.job WHERE name = ${deadLetterQueue}`);
  return rows[0]!.count;
}

/** `count` roles of a new school whose Contacts are in Salesforce and whose Editor__c row has no sfid yet, their jobs enqueued. */
async function childrenWaitingOnEditor(count: number) {
  const school = await schoolInsert(database);
  await mirrorRowInsert(database, editor, school.id, { synced: false });
  const keys: string[] = [];
  for (let i = 0; i < count; i++) {
    const role = await roleInsert(database, { schoolId: school.id });
    await mirrorRowInsert(database, contact, role.userId, { synced: true });
    keys.push(String(role.id));
  }
  await database.db.transaction(async (tx) => {
    for (const key of keys) await sync.enqueue(contactEditorAffiliation, { roleId: Number(key) }, { tx });
  });
  await waitFor(`all ${count} children to wait`, async () => {
    const waits = await waitsByKey();
    return keys.every((key) => (waits.get(key) ?? 0) >= 1);
  });
  return { school, keys };
}

describe("a parent's mirror table dropped and made again while children wait on it", () => {
  it('drops without CASCADE; the children spend no execution while it is gone and land once it is back', async () => {
    // What the doctor reads of the mirror is installed, as `migrate` does in production.
    await doctorReport(database, editorConfig);
    const { school, keys } = await childrenWaitingOnEditor(children);

    // Connect reloading the Editor__c mapping: a plain DROP TABLE, as Connect issues it.
    await database.pool.query('DROP TABLE salesforce.editor__c');
    const atDrop = await waitsByKey();
    await waitFor('every child to run against the missing table', async () => {
      const waits = await waitsByKey();
      return keys.every((key) => (waits.get(key) ?? 0) > (atDrop.get(key) ?? 0));
    });
    const whileGone = await affiliationJobs(keys);
    expect(whileGone.filter((job) => job.retry_count > 0 || job.state === 'retry' || job.state === 'failed')).toEqual([]);
    // The wait's output names the missing table's parent (pg-boss writes it just after the wait is counted).
    const missingSaid = /^Editor__c not yet synced for editoruuid__c: \S+ \(its mirror table is missing for now\)$/;
    await waitFor('a wait to say the table is missing', async () => (await affiliationJobs(keys)).some((job) => missingSaid.test(String(job.output?.waiting))));
    expect(await deadLetters()).toBe(0);

    // The mapping is back, its rows reloaded from Salesforce with their sfids.
    await mirrorTablesCreate(database, editorObjectSet, captured.log);
    await mirrorRowInsert(database, editor, school.id, { synced: true });

    await waitFor('every child to land', async () => {
      for (const key of keys) if (!(await mirrorRowRead(database, contactEditorAffiliation, key))) return false;
      return true;
    });
    await waitFor('every job to settle', async () => (await affiliationJobs(keys)).every((job) => job.state === 'completed'));
    expect((await affiliationJobs(keys)).filter((job) => job.retry_count > 0)).toEqual([]);
    expect(await deadLetters()).toBe(0);
    expect(captured.lines.filter((line) => line.level >= 50)).toEqual([]);
  });

  it('tells the doctor and repair which table is missing', async () => {
    await database.pool.query('DROP TABLE salesforce.contact');
    try {
      const said = /^The mirror table salesforce\.contact does not exist now \(Heroku Connect drops and makes one again when a mapping is reloaded\): try again once it is back$/;
      // The doctor reports what it can read, and says which table it could not.
      const report = await doctorReport(database, editorConfig);
      expect(report.mirrorTablesMissing).toEqual(['salesforce.contact']);
      expect(report.objects.find((health) => health.object === 'Contact')?.mirrorTablesMissing).toEqual({ tables: ['salesforce.contact'], ownTable: true });
      await expect(repairPlan(database, editorConfig)).rejects.toThrow(said);
      const reconciled = logCapture('warn');
      await expect(reconcileRun(database, editorConfig, reconciled.log, { enabled: true })).resolves.toMatchObject({ jobsEnqueued: 0 });
      expect(reconciled.lines.map((line) => line.msg)).toEqual([expect.stringMatching(/^reconciler skipped this run: The mirror table salesforce\.contact does not exist now/)]);
    } finally {
      await mirrorTablesCreate(database, editorObjectSet, captured.log);
    }
    await expect(doctorReport(database, editorConfig)).resolves.toMatchObject({ objects: expect.any(Array) });
  });

  it("has the waker say once that a parent's table is missing, while it goes on checking the others", async () => {
    const watched = logCapture('warn');
    const ticking = parentWakerStart(boss, database.db, editorObjectSet, watched.log, { intervalSeconds: 0 });
    await database.db.execute(sql`INSERT INTO connect_sync.parent_wait (queue, record_key, parent, parent_key)
      VALUES (${contactEditorAffiliation.queueName}, 'waker-1', 'Editor__c', 'nowhere-1'), (${contactEditorAffiliation.queueName}, 'waker-2', 'Contact', 'nowhere-2')`);
    await database.pool.query('DROP TABLE salesforce.editor__c');
    try {
      for (let tick = 0; tick < 5; tick++) await ticking.tick();
    } finally {
      await mirrorTablesCreate(database, editorObjectSet, captured.log);
      await database.db.execute(sql`DELETE FROM connect_sync.parent_wait WHERE record_key IN ('waker-1', 'waker-2')`);
    }
    expect(watched.lines.map((line) => line.msg)).toEqual([
      'parent waker could not check Editor__c: its mirror table salesforce.editor__c does not exist now; records waiting on it wait until it is back',
    ]);
  });

  it("makes the object's own missing table a real error, said once with the table's name", async () => {
    const school = await schoolInsert(database);
    await mirrorRowInsert(database, editor, school.id, { synced: true });
    const role = await roleInsert(database, { schoolId: school.id });
    await mirrorRowInsert(database, contact, role.userId, { synced: true });
    const key = String(role.id);
    await database.pool.query('DROP TABLE salesforce.contact_editor_affiliation__c');
    await database.db.transaction((tx) => sync.enqueue(contactEditorAffiliation, { roleId: role.id }, { tx }));

    const said = (line: { msg: string }) => line.msg.includes('The mirror table salesforce.contact_editor_affiliation__c does not exist');
    await waitFor('the error line', () => captured.lines.some(said));
    await waitFor('the job to be retried', async () => (await affiliationJobs([key])).some((job) => job.retry_count >= 2));
    // Each failed batch is a warning (to be retried); the person who must act reads one error.
    expect(captured.lines.filter((line) => said(line) && line.level >= 50)).toHaveLength(1);
    expect((await affiliationJobs([key]))[0]?.output?.message).toMatch(/^The mirror table salesforce\.contact_editor_affiliation__c does not exist/);

    await mirrorTablesCreate(database, editorObjectSet, captured.log);
    // The next retry comes on pg-boss's backoff (3 s doubling): the third is due within 12 s.
    await waitFor('the affiliation to land once its table is back', () => mirrorRowRead(database, contactEditorAffiliation, key), { timeoutMs: 60_000 });
  }, 90_000);
});
