/**
 * Commands run in the wrong order name the fix: on a database never migrated, or whose app
 * tables do not exist yet, each stops in one line naming what is missing and what creates it
 * (exit 1: the command ran, the database is not ready), and nothing is half-made.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { migrateQueue } from '../../src/schema/migrate.ts';
import { migratedCheck, NotMigratedError } from '../../src/schema/migrated-check.ts';
import { syncConfigResolve } from '../../src/sync-config.ts';
import { testDatabase } from '../support/database.ts';
import { editorConfig } from '../support/editor.ts';
import { account, employee, hostTablesMigrate } from '../host/host-objects.ts';

const hostConfig = syncConfigResolve({ objects: [account, employee] });

function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['src/cli.ts', ...args], {
      env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --conditions=connect-sync-source`.trim(), LOG_FORMAT: 'json', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('a database not yet migrated', () => {
  it('stops doctor, repair, backfill, redrive and the worker in one line naming migrate, exit 1', async () => {
    const database = await testDatabase({ empty: true });
    await expect(migratedCheck(database, editorConfig)).rejects.toThrow(new NotMigratedError(`The database ${database.description} has no queue schema (pgboss): run \`connect-sync migrate\` first.`));
    const commands = [['doctor'], ['repair'], ['backfill', 'all'], ['redrive'], ['worker']];
    const results = await Promise.all(commands.map((command) => cli(command, { DATABASE_URL: database.url })));
    for (const [index, result] of results.entries()) {
      const output = `${result.stdout}${result.stderr}`.trim().split('\n');
      expect(result.code, commands[index]!.join(' ')).toBe(1);
      expect(output, commands[index]!.join(' ')).toHaveLength(1);
      expect(JSON.parse(output[0]!).msg, commands[index]!.join(' ')).toBe(
        `The database ${database.description} has no queue schema (pgboss): run \`connect-sync migrate\` first.`,
      );
    }
  }, 300_000);
});

describe("a database without the app's tables", () => {
  it('stops migrate before it makes anything, naming the tables and the app migrations that make them', async () => {
    const database = await testDatabase({ empty: true });
    await expect(migrateQueue(database, hostConfig, silentLogger)).rejects.toThrow(
      `The database ${database.description} has no table public.accounts, public.employees, which the declared objects read: run the app's own migrations first (or name them in the config's appMigrations, which \`connect-sync migrate\` runs).`,
    );
    const { rows } = await database.pool.query<{ present: boolean }>("SELECT to_regnamespace('pgboss') IS NOT NULL AS present");
    expect(rows[0]?.present).toBe(false);
  });

  it('stops the commands that read them once the queue is there, naming the table', async () => {
    const database = await testDatabase({ empty: true });
    await hostTablesMigrate(database);
    await migrateQueue(database, hostConfig, silentLogger);
    await database.pool.query('DROP TABLE employees');
    await expect(migratedCheck(database, hostConfig)).rejects.toThrow(/has no table public\.employees, which the declared objects read: run the app's own migrations first/);
  });
});
