/**
 * Many parents landing at once (Connect catching up after an outage, a backfill of schools): one
 * tick of the waker brings every waiting child forward, in one transaction, and the worker writes
 * them all long before their next backoff step.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { contactEditorAffiliation } from '../../src/editor/objects/contact-editor-affiliation.ts';
import { contact } from '../../src/editor/objects/contact.ts';
import { editor } from '../../src/editor/objects/editor.ts';
import { silentLogger } from '../../src/log.ts';
import { parentWakerStart } from '../../src/queue/parent-waker.ts';
import { editorObjectSet } from '../support/editor.ts';
import { jobsRead } from '../support/queue.ts';
import { mirrorRowInsert, roleInsert, schoolInsert } from '../support/records.ts';
import { testSyncWorker } from '../support/sync-worker.ts';
import { waitFor } from '../support/wait.ts';

const children = 200;

// Ten times the real schedule: after its first wait a job re-runs in about 30 s.
const { database, boss, sync } = await testSyncWorker({ timeScale: 10 });

describe('a wave of parents reaching Salesforce together', () => {
  it('wakes every waiting child in one tick, and each is written without spending an execution', { timeout: 30_000 }, async () => {
    const schoolIds: string[] = [];
    for (let i = 0; i < children; i += 1) {
      const school = await schoolInsert(database);
      const role = await roleInsert(database, { schoolId: school.id });
      await mirrorRowInsert(database, contact, role.userId, { synced: true });
      await mirrorRowInsert(database, editor, school.id, { synced: false });
      await database.db.transaction((tx) => sync.enqueue(contactEditorAffiliation, { roleId: role.id }, { tx }));
      schoolIds.push(school.id);
    }
    const waiting = async () =>
      (await database.db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM connect_sync.parent_wait WHERE woken_at IS NULL`)).rows[0]!.n;
    await waitFor('every child to wait once', async () => (await waiting()) === children);

    await database.db.execute(sql`UPDATE ${editor.table} SET sfid = 'a0E' || substr(md5(editoruuid__c), 1, 15) WHERE editoruuid__c = ANY(${sql.param(schoolIds)}::text[])`);
    const waker = parentWakerStart(boss, database.db, editorObjectSet, silentLogger, { intervalSeconds: 0 });
    expect(await waker.tick()).toBe(children);
    expect(await waiting()).toBe(0);

    const written = async () => (await database.db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM ${contactEditorAffiliation.table}`)).rows[0]!.n;
    await waitFor('every affiliation to be written', async () => (await written()) === children, { timeoutMs: 15_000 });
    const jobs = await jobsRead(database, contactEditorAffiliation.queueName);
    expect(jobs.filter((job) => job.retry_count > 0)).toEqual([]);
  });
});
