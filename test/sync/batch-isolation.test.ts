/**
 * Every job is judged alone: a job the database refuses is rejected by itself while the rest of
 * its batch is written, ids out of Postgres's range fail the payload check, and an error that is
 * not about one job's data (a lock wait given up) still fails the whole batch.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { databaseConnect } from '../../src/db/database.ts';
import { contactEditorAffiliation } from '../../src/editor/objects/contact-editor-affiliation.ts';
import { editor } from '../../src/editor/objects/editor.ts';
import { payloadParse } from '../../src/sync/payload-parse.ts';
import { syncBatch } from '../../src/sync/sync-batch.ts';
import { PayloadInvalidError, RowRefusedError } from '../../src/sync/sync-errors.ts';
import { testDatabase } from '../support/database.ts';
import { editorObjectSet } from '../support/editor.ts';
import { schoolInsert } from '../support/records.ts';

const database = await testDatabase();

describe('a batch with a job the database refuses', () => {
  it('rejects that job alone and writes every other row', async () => {
    await database.pool.query(`ALTER TABLE salesforce.editor__c ADD CONSTRAINT poison_refused CHECK (name <> 'Poison')`);
    const good = await Promise.all(Array.from({ length: 9 }, (_, i) => schoolInsert(database, { name: `Good ${i}` })));
    const poison = await schoolInsert(database, { name: 'Poison' });
    const jobs = [...good.slice(0, 4), poison, ...good.slice(4)].map((school) => ({ id: randomUUID(), data: { schoolId: school.id, isCreate: true } }));

    const outcomes = await syncBatch(database.db, editorObjectSet, editor, jobs, { enabled: true });
    const refused = outcomes.get(jobs[4]!.id)!;
    expect(refused.status).toBe('rejected');
    const error = (refused as { error: RowRefusedError }).error;
    expect(error).toBeInstanceOf(RowRefusedError);
    expect(error.sqlState).toBe('23514');
    expect(error.code).toBe('ROW_REFUSED');
    expect(error.message).toContain(poison.id);
    expect(error.message).not.toContain('\n');
    expect([...outcomes.values()].filter((outcome) => outcome.status === 'written')).toHaveLength(9);
    const { rows } = await database.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM salesforce.editor__c WHERE editoruuid__c = ANY($1)`, [good.map((s) => s.id)]);
    expect(rows[0]!.n).toBe(9);
  });

  it('fails the whole batch on an error that is not about its data', async () => {
    const school = await schoolInsert(database, { name: 'Locked out' });
    const blocker = new pg.Client({ connectionString: database.url });
    await blocker.connect();
    await blocker.query('BEGIN; LOCK TABLE salesforce.editor__c IN ACCESS EXCLUSIVE MODE');
    const impatient = await databaseConnect(`${database.url}?options=${encodeURIComponent('-c lock_timeout=200')}`);
    try {
      await expect(syncBatch(impatient.db, editorObjectSet, editor, [{ id: randomUUID(), data: { schoolId: school.id } }], { enabled: true })).rejects.toThrow();
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
      await impatient.close();
    }
  });
});

describe('the payload check', () => {
  it("rejects ids beyond Postgres's bigint and bounds its message whatever the payload", () => {
    expect(payloadParse(contactEditorAffiliation, { roleId: '9223372036854775807' })).not.toBeInstanceOf(PayloadInvalidError);
    for (const roleId of ['9223372036854775808', '99999999999999999999', 1e30, -1, 1.5, 'x'.repeat(1_000_000)]) {
      const result = payloadParse(contactEditorAffiliation, { roleId });
      expect(result).toBeInstanceOf(PayloadInvalidError);
      expect((result as Error).message.length).toBeLessThan(600);
    }
    const hugeKey = payloadParse(editor, { ['k'.repeat(100_000)]: 1, schoolId: randomUUID() });
    expect((hugeKey as Error).message.length).toBeLessThan(600);
  });
});
