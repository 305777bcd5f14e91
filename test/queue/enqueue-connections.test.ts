/**
 * Enqueue and repair write jobs on the caller's transaction: no pg-boss, no pool, no connection
 * of their own (counted in pg_stat_activity, every backend on the test database).
 */
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { connectSync } from '../../src/connect-sync.ts';
import { databaseFromPool } from '../../src/db/database.ts';
import { editor } from '../../src/editor/objects/editor.ts';
import { editorPreset } from '../../src/editor/preset.ts';
import { testDatabase } from '../support/database.ts';
import { schoolInsert } from '../support/records.ts';

const database = await testDatabase();

async function backends(): Promise<number> {
  const { rows } = await database.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database()`);
  return rows[0]!.n;
}

describe("connectSync's enqueue and repair", () => {
  it('open no connection beyond the one the caller hands them', async () => {
    const hostPool = new pg.Pool({ connectionString: database.url, max: 1 });
    const host = databaseFromPool(hostPool);
    const sync = connectSync({ pool: hostPool, ...editorPreset });
    try {
      const school = await schoolInsert(database);
      await hostPool.query('SELECT 1');
      const before = await backends();
      await host.db.transaction((tx) => sync.enqueue(editor, { schoolId: school.id, isCreate: true }, { tx }));
      await sync.repairApply({ items: [{ action: 'jobEnqueue', object: editor, recordId: (await schoolInsert(database)).id }], upstream: { count: 0, examples: [] } });
      expect(await backends()).toBe(before);
      const { rows } = await database.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1`, [editor.queueName]);
      expect(rows[0]!.n).toBe(2);
    } finally {
      await sync.stop();
      await hostPool.end();
    }
  });
});
