/**
 * The doctor over a database in the state the original investigation found: exactly the seed's
 * counts per class, the same answer from the views with psql's eyes, and the job classes.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contactEditorAffiliation } from '../../src/editor/objects/contact-editor-affiliation.ts';
import { doctorReport, doctorReportText } from '../../src/ops/doctor-report.ts';
import { doctorFunctionsEnsure } from '../../src/ops/doctor-functions.ts';
import { deadLetterQueue } from '../../src/queue/queues.ts';
import { testDatabase } from '../support/database.ts';
import { testBoss } from '../support/queue.ts';
import { roleInsert, schoolInsert } from '../support/records.ts';
import { waitFor } from '../support/wait.ts';
import { silentLogger } from '../../src/log.ts';
import { syncWorkStart } from '../../src/queue/sync-worker.ts';
import { evidenceCounts, evidenceSeed } from './evidence.ts';
import { editorConfig, doctorClasses } from '../support/editor.ts';

const database = await testDatabase();
const seeded = await evidenceSeed(database);

describe('doctor over the seed evidence', () => {
  it('finds 1,114 schools without a synced affiliation, in exactly the seed classes', async () => {
    const report = await doctorReport(database, editorConfig);
    expect(report.checks.schools?.count).toBe(1114);
    const counts = Object.fromEntries(Object.entries(doctorClasses(report)).map(([name, found]) => [name, found.count]));
    expect(counts).toEqual({ ...evidenceCounts, noEditorRow: 0, other: 0, deadLetter: 0, waitingOnParent: 0 });
    expect(doctorClasses(report).failedOnEditor?.examples).toEqual(seeded.failedOnEditor);
    expect(doctorClasses(report).failedOnContact?.examples).toEqual([...seeded.failedOnContact].sort());
    expect(doctorClasses(report).rejected?.examples).toHaveLength(5);
    expect(doctorReportText(report)).toContain('failedOnEditor');
  });

  it('answers the same from psql: one function per class', async () => {
    const { rows } = await database.pool.query<{ count: number }>(`SELECT count(*)::int AS count FROM connect_sync.doctor_no_affiliation_row()`);
    expect(rows[0]?.count).toBe(evidenceCounts.noAffiliationRow);
    const { rows: ids } = await database.pool.query<{ school_id: string }>(`SELECT school_id FROM connect_sync.doctor_failed_on_editor()`);
    expect(ids.map((row) => row.school_id)).toEqual(seeded.failedOnEditor);
  });

  it('keeps the functions as they are while the declarations are unchanged', async () => {
    expect(await doctorFunctionsEnsure(database, editorConfig)).toBe('current');
  });

  it('drops the views an earlier version made over the mirror, so Connect can drop its tables again', async () => {
    /** Drops the Editor__c table in a transaction rolled back; the refusal's message, if any. */
    const dropRefusal = async (): Promise<string | undefined> => {
      const client = await database.pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('DROP TABLE salesforce.editor__c');
        return undefined;
      } catch (error) {
        return (error as Error).message;
      } finally {
        await client.query('ROLLBACK');
        client.release();
      }
    };
    await database.pool.query(`CREATE VIEW connect_sync.doctor_failed_rows AS SELECT id, sfid FROM salesforce.editor__c`);
    expect(await dropRefusal()).toMatch(/other objects depend on it/);
    expect(await doctorFunctionsEnsure(database, editorConfig)).toBe('created');
    const { rows } = await database.pool.query(`SELECT 1 FROM pg_views WHERE schemaname = 'connect_sync'`);
    expect(rows).toEqual([]);
    expect(await dropRefusal()).toBeUndefined();
    expect(await doctorFunctionsEnsure(database, editorConfig)).toBe('current');
  });

  it('counts schools with no Editor__c row, dead letters and jobs waiting on a parent', async () => {
    const lost = await schoolInsert(database);
    const boss = await testBoss(database);
    // A teacher of the lost school: its job waits for an Editor__c that has no mirror row.
    const role = await roleInsert(database, { schoolId: lost.id });
    await syncWorkStart(boss, database.db, editorConfig.objects, silentLogger, { enabled: true, pollingIntervalSeconds: 0.5, only: [contactEditorAffiliation] });
    await boss.send(contactEditorAffiliation.queueName, { roleId: role.id }, { singletonKey: String(role.id) });
    await waitFor('the role job to wait on its Editor__c', async () => {
      const { rows } = await database.pool.query(`SELECT 1 FROM connect_sync.parent_wait WHERE record_key = $1`, [String(role.id)]);
      return rows.length > 0;
    });
    await boss.send(deadLetterQueue, { schoolId: randomUUID() });
    const report = await doctorReport(database, editorConfig);
    expect(doctorClasses(report).noEditorRow).toEqual({ count: 1, examples: [lost.id] });
    expect(doctorClasses(report).waitingOnParent).toEqual({ count: 1, examples: [`${contactEditorAffiliation.queueName}/${role.id}`] });
    expect(doctorClasses(report).deadLetter?.count).toBe(1);
    expect(report.checks.schools?.count).toBe(1115);
  });
});
