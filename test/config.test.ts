import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadSettings } from '../src/config.ts';

const run = promisify(execFile);

describe('settings', () => {
  it('defaults to the embedded database, syncing off', () => {
    const settings = loadSettings({});
    expect(settings.DATABASE_URL).toBeUndefined();
    expect(settings.SALESFORCE_ENABLED).toBe(false);
    expect(settings.EMBEDDED_POSTGRES_DIR).toBe('.data/postgres');
  });

  it('turns syncing on only for exactly "true"', () => {
    expect(loadSettings({ SALESFORCE_ENABLED: 'true' }).SALESFORCE_ENABLED).toBe(true);
    expect(loadSettings({ SALESFORCE_ENABLED: 'TRUE' }).SALESFORCE_ENABLED).toBe(false);
    expect(loadSettings({ SALESFORCE_ENABLED: '1' }).SALESFORCE_ENABLED).toBe(false);
  });

  it('names the variable and what it expects, without echoing the value', () => {
    const secret = 'mysql://admin:hunter2@db/app';
    expect(() => loadSettings({ DATABASE_URL: secret })).toThrow(ConfigError);
    try {
      loadSettings({ DATABASE_URL: secret });
    } catch (error) {
      expect((error as Error).message).toMatch(/^Invalid configuration: DATABASE_URL must be .*postgres:\/\//);
      expect((error as Error).message).not.toContain('hunter2');
    }
    expect(() => loadSettings({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL must be one of/);
    expect(() => loadSettings({ WORKER_SUMMARY_SECONDS: 'soon' })).toThrow(/WORKER_SUMMARY_SECONDS must be a whole number/);
  });

  it('accepts a RECONCILER_CRON only when pg-boss could schedule it, or off', () => {
    expect(loadSettings({ RECONCILER_CRON: '*/10 * * * *' }).RECONCILER_CRON).toBe('*/10 * * * *');
    expect(loadSettings({ RECONCILER_CRON: 'off' }).RECONCILER_CRON).toBe('off');
    expect(() => loadSettings({ RECONCILER_CRON: 'bad cron' })).toThrow(/^Invalid configuration: RECONCILER_CRON must be a cron expression/);
    expect(() => loadSettings({ RECONCILER_CRON: '61 * * * *' })).toThrow(/RECONCILER_CRON/);
  });

  it('stops the command line with one line and a non-zero exit code on a malformed DATABASE_URL', async () => {
    const failure = await run(process.execPath, ['src/cli.ts', 'migrate'], {
      env: { ...process.env, DATABASE_URL: 'not a url' },
    }).catch((error: { code: number; stdout: string; stderr: string }) => error);
    expect('code' in failure && failure.code).toBe(2);
    expect(failure.stderr.trim().split('\n')).toEqual([
      'Invalid configuration: DATABASE_URL must be a connection URL of the form postgres://user:password@host:5432/database',
    ]);
  });
});
