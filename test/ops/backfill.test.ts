/**
 * backfill: a job for every record, once, however often it runs; bad object names get a clear
 * error saying what is expected.
 */
import { describe, expect, it } from 'vitest';
import { contactEditorAffiliation } from '../../src/editor/objects/contact-editor-affiliation.ts';
import { backfillRun } from '../../src/ops/backfill.ts';
import { retryLimit } from '../../src/queue/retry-schedule.ts';
import { deadLetterQueue } from '../../src/queue/queues.ts';
import { testDatabase } from '../support/database.ts';
import { testBoss } from '../support/queue.ts';
import { schoolInsert } from '../support/records.ts';
import { editorObjectSet } from '../support/editor.ts';

const database = await testDatabase();
const boss = await testBoss(database);

async function jobCounts() {
  const { rows } = await database.pool.query<{ jobs: number; keys: number }>(
    `SELECT count(*)::int AS jobs, count(DISTINCT singleton_key)::int AS keys FROM pgboss.job WHERE name = $1`,
    [contactEditorAffiliation.queueName],
  );
  return rows[0];
}

describe('backfill', () => {
  it('enqueues 10,000 role jobs once, even when run twice, and none for students', async () => {
    const school = await schoolInsert(database);
    await database.pool.query(
      `INSERT INTO roles (school_id, role, user_id)
       SELECT $1, CASE WHEN n % 2 = 0 THEN 'teacher' ELSE 'owner' END::role_name, gen_random_uuid() FROM generate_series(1, 10000) n`,
      [school.id],
    );
    await database.pool.query(`INSERT INTO roles (school_id, role, user_id) SELECT $1, 'student', gen_random_uuid() FROM generate_series(1, 50)`, [school.id]);
    const progress: number[] = [];
    const first = await backfillRun(database, boss, contactEditorAffiliation, { onProgress: (done) => progress.push(done) });
    expect(first).toMatchObject({ records: 10000, enqueued: 10000, alreadyWaiting: 0 });
    expect(progress.at(-1)).toBe(10000);
    expect(progress.length).toBeGreaterThan(10);
    const second = await backfillRun(database, boss, editorObjectSet.select('role')[0]!);
    expect(second).toMatchObject({ enqueued: 0, alreadyWaiting: 10000 });
    expect(await jobCounts()).toEqual({ jobs: 10000, keys: 10000 });
    // Jobs take their queue's options: retries and the dead letter.
    const { rows } = await database.pool.query(`SELECT DISTINCT retry_limit, dead_letter, data ? 'roleId' AS named FROM pgboss.job WHERE name = $1`, [
      contactEditorAffiliation.queueName,
    ]);
    expect(rows).toEqual([{ retry_limit: retryLimit, dead_letter: deadLetterQueue, named: true }]);
  });

  it('knows objects by queue, Salesforce name or table, and says what it expects otherwise', () => {
    expect(editorObjectSet.select('role')).toEqual([contactEditorAffiliation]);
    expect(editorObjectSet.select('Contact_Editor_Affiliation__c')).toEqual([contactEditorAffiliation]);
    expect(editorObjectSet.select('all').length).toBe(6);
    expect(() => editorObjectSet.select('roles')).toThrow(/Unknown object "roles": expected all, or one of school \(Editor__c\), .*role \(Contact_Editor_Affiliation__c\)/);
  });
});
