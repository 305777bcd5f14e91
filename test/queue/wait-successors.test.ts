/**
 * Successors of a record already written: a record that waits twice over (two jobs, two chains
 * of successors) and is then written by one of them leaves the other chain's successor nothing to
 * do. It is settled in the writer's batch, completed with `superseded`, instead of staying queued
 * until its backoff runs out (up to hours). A job for a change the writer did not read is left to
 * run, and lands.
 */
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { roles } from '../../src/editor/app-schema.ts';
import { contactEditorAffiliation } from '../../src/editor/objects/contact-editor-affiliation.ts';
import { contact } from '../../src/editor/objects/contact.ts';
import { editor } from '../../src/editor/objects/editor.ts';
import { waitSuccessorsSettle, waitSuccessorsSweep } from '../../src/queue/wait-successor.ts';
import { mirrorRowInsert, mirrorRowRead, mirrorRowSync, roleInsert, schoolInsert } from '../support/records.ts';
import { testSyncWorker } from '../support/sync-worker.ts';
import { waitFor } from '../support/wait.ts';

// The real schedule and no waker: after a record's first wait its job runs again in 3 s, after
// its second in 18 s (the backoff alone, as with PARENT_WAKE_SECONDS=0, or a wake that came while
// the other chain's job was running).
const { database, boss, sync } = await testSyncWorker({ timeScale: 1 });

/**
 * A role whose Contact is in Salesforce and whose Editor__c row has no sfid yet, changed twice
 * while it waits: two jobs, each waiting, each with a successor (the first due 3 s later, the
 * second 18 s).
 */
async function roleWaitingTwice() {
  const school = await schoolInsert(database);
  const role = await roleInsert(database, { schoolId: school.id });
  await mirrorRowInsert(database, contact, role.userId, { synced: true });
  await mirrorRowInsert(database, editor, school.id, { synced: false });
  const key = String(role.id);
  await roleEnqueue(role.id);
  await waitFor('the first wait', async () => (await waitsOf(key)) === 1);
  await roleEnqueue(role.id);
  await waitFor('the second wait', async () => (await waitsOf(key)) === 2);
  return { school, role, key };
}

async function roleEnqueue(roleId: number): Promise<void> {
  await database.db.transaction((tx) => sync.enqueue(contactEditorAffiliation, { roleId }, { tx }));
}

async function roleJobs(key: string) {
  const { rows } = await database.db.execute<{ id: string; state: string; output: Record<string, unknown> | null; due_later: boolean }>(sql`
    SELECT id, state, output, start_after > now() AS due_later FROM pgboss.job
     WHERE name = ${contactEditorAffiliation.queueName} AND singleton_key = ${key} ORDER BY created_on, id`);
  return rows;
}

async function waitsOf(key: string): Promise<number> {
  const { rows } = await database.db.execute<{ waits: number }>(sql`SELECT waits FROM connect_sync.parent_wait WHERE record_key = ${key}`);
  return rows[0]?.waits ?? 0;
}

describe('a successor of a record already written', () => {
  it('is settled as superseded in the batch that writes the record, not left queued', async () => {
    const { school, key } = await roleWaitingTwice();
    expect((await roleJobs(key)).filter((job) => job.state === 'created' && job.due_later)).toHaveLength(2);

    await mirrorRowSync(database, editor, school.id);
    await waitFor('the affiliation to be written', () => mirrorRowRead(database, contactEditorAffiliation, key), { timeoutMs: 10_000 });
    const writer = await waitFor('its job to complete', async () => (await roleJobs(key)).find((job) => job.state === 'completed' && job.output?.written));

    // Nothing is left queued for the record: the other successor completed with the writer named.
    const jobs = await roleJobs(key);
    expect(jobs.filter((job) => job.state !== 'completed')).toEqual([]);
    const superseded = jobs.filter((job) => job.output?.superseded);
    expect(superseded).toHaveLength(1);
    expect(superseded[0]!.output).toMatchObject({ writtenBy: writer.id });
  });

  it('leaves a job for a change the writer did not read to run, and that change lands', async () => {
    const { school, role, key } = await roleWaitingTwice();
    await mirrorRowSync(database, editor, school.id);

    // The first successor reads the role (a teacher) and is held at its write; meanwhile the role
    // becomes an owner and that change's job is enqueued, after the writer's read.
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE salesforce.contact_editor_affiliation__c IN EXCLUSIVE MODE');
      await waitFor('the writer to be held at its write', async () => {
        const { rows } = await holder.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND relation = 'salesforce.contact_editor_affiliation__c'::regclass`,
        );
        return rows[0]!.n > 0;
      });
      await database.db.transaction(async (tx) => {
        await tx.update(roles).set({ role: 'owner' }).where(eq(roles.id, role.id));
        await sync.enqueue(contactEditorAffiliation, { roleId: role.id }, { tx });
      });
      await holder.query('COMMIT');
    } finally {
      await holder.end();
    }

    await waitFor('the owner to land', async () => (await mirrorRowRead(database, contactEditorAffiliation, key))?.roletype__c === 'owner', { timeoutMs: 10_000 });
    await waitFor('every job of the role to settle', async () => (await roleJobs(key)).every((job) => job.state === 'completed'));
    const outputs = (await roleJobs(key)).map((job) => job.output);
    // The writer and the later change's job each wrote; the other successor was superseded.
    expect(outputs.filter((output) => output?.written)).toHaveLength(2);
    expect(outputs.filter((output) => output?.superseded)).toHaveLength(1);
  });

  it('is settled only when enqueued before the writer was fetched, still due later, and marked as a successor', async () => {
    const queue = `successors-${randomUUID()}`;
    await boss.createQueue(queue, { policy: 'singleton' });
    const send = async (recordKey: string, startAfter: number) => {
      const id = randomUUID();
      await boss.insert(queue, [{ id, data: { recordKey }, singletonKey: recordKey, startAfter }]);
      return id;
    };
    const mark = (jobs: Record<string, string>) =>
      waitSuccessorsSettle(database.db, queue, { enqueued: Object.entries(jobs).map(([jobId, recordKey]) => ({ jobId, recordKey })), ran: [], written: [], fetchedAt: new Date() });
    const jobs = {
      successor: await send('r1', 3600),
      successorDue: await send('r1', 0),
      appJobDueLater: await send('r1', 3600),
      otherRecord: await send('r2', 3600),
    };
    await mark({ [jobs.successor]: 'r1', [jobs.successorDue]: 'r1', [jobs.otherRecord]: 'r2' });
    const { rows } = await database.db.execute<{ now: Date }>(sql`SELECT clock_timestamp() AS now`);
    const fetchedAt = new Date(new Date(rows[0]!.now).getTime() + 1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const successorAfterFetch = await send('r1', 3600);
    await mark({ [successorAfterFetch]: 'r1' });

    const writer = randomUUID();
    const settled = await waitSuccessorsSettle(database.db, queue, { enqueued: [], ran: [], written: [{ recordKey: 'r1', jobId: writer }], fetchedAt });
    expect(settled).toBe(1);
    const states = await database.db.execute<{ id: string; state: string; output: Record<string, unknown> | null }>(
      sql`SELECT id, state, output FROM pgboss.job WHERE name = ${queue}`,
    );
    const byId = new Map(states.rows.map((row) => [row.id, row]));
    expect(byId.get(jobs.successor)).toMatchObject({ state: 'completed', output: { superseded: expect.any(String), writtenBy: writer } });
    for (const id of [jobs.successorDue, jobs.appJobDueLater, jobs.otherRecord, successorAfterFetch]) expect(byId.get(id)?.state).toBe('created');
    // The settled successor is no longer marked; the others still are, until their job is gone.
    const marked = async () =>
      (await database.db.execute<{ job_id: string }>(sql`SELECT job_id FROM connect_sync.wait_successor WHERE queue = ${queue}`)).rows.map((row) => row.job_id).sort();
    expect(await marked()).toEqual([jobs.successorDue, jobs.otherRecord, successorAfterFetch].sort());
    await boss.cancel(queue, jobs.otherRecord);
    await waitSuccessorsSweep(database.db);
    expect(await marked()).toEqual([jobs.successorDue, successorAfterFetch].sort());
  });
});
