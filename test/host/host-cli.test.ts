/**
 * The command line on a host app's config file: every command works on its objects, and a name
 * it does not declare is refused in one line before any connection is opened.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { testDatabase } from '../support/database.ts';
import { hostTablesSql } from './host-objects.ts';

const configFile = 'test/host/connect-sync.config.ts';

function cli(args: string[], env: Record<string, string>, config = configFile): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/connect-sync.js', '--config', config, ...args], {
      env: { ...process.env, LOG_FORMAT: 'json', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('connect-sync --config <host config>', () => {
  it('migrates the host’s queues and mirror, and doctors its objects', async () => {
    const database = await testDatabase({ empty: true });
    await database.pool.query(hostTablesSql);
    const env = { DATABASE_URL: database.url, SALESFORCE_ENABLED: 'true' };
    expect((await cli(['migrate', '--mirror'], env)).code).toBe(0);
    const doctor = await cli(['doctor', '--json'], env);
    expect(doctor.code).toBe(0);
    const report = JSON.parse(doctor.stdout) as { objects: { object: string }[]; checks: object };
    expect(report.objects.map((found) => found.object)).toEqual(['Account', 'Employee__c']);
    expect(report.checks).toEqual({});
    await database.pool.query(`INSERT INTO accounts (name) VALUES ('Gurnard Shipwrights')`);
    const backfill = await cli(['backfill', 'Account'], env);
    expect(backfill.stdout).toContain('Account: 1 job(s) enqueued');
  });

  it('refuses an object the config does not declare, in one line, without connecting', async () => {
    // Nothing listens on port 1: a command that connected first would fail on the connection instead.
    const result = await cli(['backfill', 'Editor__c'], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', SALESFORCE_ENABLED: 'true' });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^Unknown object "Editor__c": expected all, or one of account \(Account\), employee \(Employee__c\)/)]);
  });

  it('says in one line when the config file is missing', async () => {
    const result = await cli(['doctor'], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' }, 'no-such.config.ts');
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^Config file no-such\.config\.ts not found/)]);
  });
});
