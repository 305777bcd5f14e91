import { describe, expect, it } from 'vitest';
import { migrateQueue } from '../../src/schema/migrate.ts';
import { mirrorTablesCreate } from '../../src/connect-sim/mirror-tables.ts';
import { silentLogger } from '../../src/log.ts';
import { queueDefinitions } from '../../src/queue/queues.ts';
import { testDatabase } from '../support/database.ts';
import { schemaSnapshot } from '../support/schema-snapshot.ts';
import { editorConfig, editorObjectSet } from '../support/editor.ts';

async function tablesIn(database: Awaited<ReturnType<typeof testDatabase>>, schema: string): Promise<string[]> {
  const { rows } = await database.pool.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
    [schema],
  );
  return rows.map((row) => row.table_name);
}

describe('migrate on an empty database', () => {
  it('creates the app tables, the queue and its queues, then the mirror, and a second run changes nothing', async () => {
    const database = await testDatabase({ empty: true });
    await migrateQueue(database, editorConfig, silentLogger);
    expect(await tablesIn(database, 'public')).toEqual(['class_students', 'class_teachers', 'lessons', 'projects', 'roles', 'school_classes', 'school_projects', 'schools']);
    expect(await tablesIn(database, 'salesforce')).toEqual([]);
    const { rows: queues } = await database.pool.query<{ name: string; policy: string; retry_limit: number; dead_letter: string | null }>(
      `SELECT name, policy, retry_limit, dead_letter FROM pgboss.queue ORDER BY name`,
    );
    expect(queues.map((queue) => queue.name)).toEqual(queueDefinitions(editorObjectSet).map((queue) => queue.name).sort());

    await mirrorTablesCreate(database, editorObjectSet, silentLogger);
    expect(await tablesIn(database, 'salesforce')).toEqual(editorObjectSet.objects.map((object) => object.tableName).sort());

    // With the mirror tables there, migrate also makes the doctor's functions; a second run changes nothing.
    await migrateQueue(database, editorConfig, silentLogger);
    const before = await schemaSnapshot(database);
    expect(before.functions.map((row) => row.name)).toContain('connect_sync.doctor_failed_rows()');
    expect(before.views).toEqual([]);
    await migrateQueue(database, editorConfig, silentLogger);
    await mirrorTablesCreate(database, editorObjectSet, silentLogger);
    expect(await schemaSnapshot(database)).toEqual(before);
  });

  it('gives every mirror table the columns and unique indexes Heroku Connect creates', async () => {
    const database = await testDatabase();
    for (const object of editorObjectSet.objects) {
      const { rows: columns } = await database.pool.query<{ column_name: string; data_type: string; character_maximum_length: number | null }>(
        `SELECT column_name, data_type, character_maximum_length FROM information_schema.columns
         WHERE table_schema = 'salesforce' AND table_name = $1`,
        [object.tableName],
      );
      const byName = new Map(columns.map((column) => [column.column_name, column]));
      for (const system of ['id', 'sfid', 'systemmodstamp', 'createddate', 'isdeleted', '_hc_lastop', '_hc_err']) {
        expect(byName.has(system), `${object.tableName}.${system}`).toBe(true);
      }
      expect(byName.get('sfid')?.character_maximum_length).toBe(18);
      const { rows: indexes } = await database.pool.query<{ indexname: string; indexdef: string }>(
        `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'salesforce' AND tablename = $1`,
        [object.tableName],
      );
      const unique = indexes.filter((index) => index.indexdef.startsWith('CREATE UNIQUE INDEX')).map((index) => index.indexname);
      // Postgres keeps an identifier's first 63 bytes (contact_classroom_affiliation__c's index is longer).
      const stored = (name: string) => name.slice(0, 63);
      expect(unique).toEqual(expect.arrayContaining([stored(`hcu_idx_${object.tableName}_sfid`), stored(`hcu_idx_${object.tableName}_${object.externalId}`)]));
    }
  });

  it('leaves a salesforce schema it did not create alone, as where Heroku Connect owns it', async () => {
    const database = await testDatabase({ empty: true });
    await database.pool.query('CREATE SCHEMA salesforce; CREATE TABLE salesforce._hcmeta (id serial primary key)');
    await expect(mirrorTablesCreate(database, editorObjectSet, silentLogger)).rejects.toThrow(/not created by connect-sync/);
    expect(await tablesIn(database, 'salesforce')).toEqual(['_hcmeta']);
  });
});
