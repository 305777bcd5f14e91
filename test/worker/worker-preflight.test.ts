/**
 * A worker started on a database that was never migrated stops at once with one line saying to
 * run `connect-sync migrate`, instead of creating pg-boss's schema and looping on missing queues.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { workerStart } from '../../src/worker/worker-process.ts';
import { WorkerNotMigratedError } from '../../src/worker/worker-preflight.ts';
import { testDatabase } from '../support/database.ts';
import { editorConfig } from '../support/editor.ts';

const exec = promisify(execFile);
const settings = { summarySeconds: 0, reconcilerCron: 'off' };

describe('a worker on a database that was never migrated', () => {
  it('refuses to start, names the fix, and leaves the database as it was', async () => {
    const database = await testDatabase({ empty: true });
    await expect(workerStart(database, editorConfig, silentLogger, settings)).rejects.toThrow(WorkerNotMigratedError);
    await expect(workerStart(database, editorConfig, silentLogger, settings)).rejects.toThrow(/has no queue schema \(pgboss\): run `connect-sync migrate` first\.$/);
    const { rows } = await database.pool.query<{ present: boolean }>(`SELECT to_regnamespace('pgboss') IS NOT NULL AS present`);
    expect(rows[0]?.present).toBe(false);
  });

  it('names the queues missing when the schema is there but a declared object has no queue', async () => {
    const database = await testDatabase();
    await database.pool.query(`DELETE FROM pgboss.queue WHERE name = 'salesforce-sync.lesson'`);
    await expect(workerStart(database, editorConfig, silentLogger, settings)).rejects.toThrow(
      /lacks the queues salesforce-sync\.lesson: run `connect-sync migrate` first\.$/,
    );
  });

  it('exits the worker command non-zero with that one line', { timeout: 60_000 }, async () => {
    const database = await testDatabase({ empty: true });
    const failure = await exec(process.execPath, ['src/cli.ts', 'worker'], {
      env: { ...process.env, DATABASE_URL: database.url, LOG_FORMAT: 'json', RECONCILER_CRON: 'off' },
    }).catch((error: { code: number; stdout: string }) => error);
    expect('code' in failure && failure.code).toBe(1);
    const logged = failure.stdout.trim().split('\n').map((line) => JSON.parse(line) as { msg: string; level: number });
    expect(logged.filter((line) => line.level >= 50).map((line) => line.msg)).toEqual([
      expect.stringMatching(/run `connect-sync migrate` first\.$/),
    ]);
  });
});
