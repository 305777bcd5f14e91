/**
 * connect-sync's numbered migrations: each runs once, in order, recorded; two release steps at
 * once are safe; a failed one leaves nothing half-written; a newer release's schema is refused.
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { migrateQueue } from '../../src/schema/migrate.ts';
import { migrationTemplate, schemaMigrate, schemaMigrationsRead, SchemaNewerError } from '../../src/schema/migrations.ts';
import { testDatabase } from '../support/database.ts';
import { editorConfig } from '../support/editor.ts';

const recorded = async (database: Awaited<ReturnType<typeof testDatabase>>) =>
  (await database.pool.query<{ id: number }>('SELECT id FROM connect_sync.schema_migration ORDER BY id')).rows.map((row) => row.id);

describe('the migrations', () => {
  it('are numbered from 1 without a gap, and fill in only the placeholders they know', () => {
    const migrations = schemaMigrationsRead();
    expect(migrations.map((migration) => migration.id)).toEqual(migrations.map((_, index) => index + 1));
    for (const migration of migrations) expect(migrationTemplate(migration.sql)).not.toMatch(/(?<![:\w]):[A-Z][A-Z0-9_]*\b/);
    expect(migrationTemplate('SELECT 1::text FROM :PGBOSS_SCHEMA.job')).toBe('SELECT 1::text FROM "pgboss".job');
    expect(() => migrationTemplate('SELECT :NO_SUCH_NAME')).toThrow(/placeholder :NO_SUCH_NAME is unknown/);
  });

  it('run once each when two release steps migrate one database at the same time', async () => {
    const database = await testDatabase({ empty: true });
    await Promise.all([migrateQueue(database, editorConfig, silentLogger), migrateQueue(database, editorConfig, silentLogger)]);
    expect(await recorded(database)).toEqual(schemaMigrationsRead().map((migration) => migration.id));
    expect(await schemaMigrate(database.pool, silentLogger)).toEqual([]);
    const { rows } = await database.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_trigger WHERE tgname = 'sync_job_record_key' AND tgrelid = 'pgboss.job'::regclass`);
    expect(rows[0]!.n).toBe(1);
  });

  it('leave nothing of a step whose migration fails, and say which one', async () => {
    const database = await testDatabase({ empty: true });
    const migrations = [
      { id: 1, name: 'good', sql: 'CREATE TABLE :CONNECT_SYNC_SCHEMA.made_by_good (id int)' },
      { id: 2, name: 'bad', sql: 'SELECT no_such_function()' },
    ];
    await expect(schemaMigrate(database.pool, silentLogger, migrations)).rejects.toThrow(/migration 0002_bad failed: function no_such_function\(\) does not exist/);
    const { rows } = await database.pool.query(`SELECT to_regclass('connect_sync.made_by_good') AS made, to_regclass('connect_sync.schema_migration') AS journal`);
    expect(rows[0]).toEqual({ made: null, journal: null });
  });

  it('refuse a database a newer release migrated, changing nothing', async () => {
    const database = await testDatabase({ empty: true });
    const migrations = [{ id: 1, name: 'first', sql: 'SELECT 1' }];
    await schemaMigrate(database.pool, silentLogger, [...migrations, { id: 2, name: 'from_the_future', sql: 'SELECT 2' }]);
    await expect(schemaMigrate(database.pool, silentLogger, migrations)).rejects.toThrow(SchemaNewerError);
    await expect(schemaMigrate(database.pool, silentLogger, migrations)).rejects.toThrow(/migrated by a newer connect-sync \(migration 2 from_the_future is unknown here\)/);
  });
});
