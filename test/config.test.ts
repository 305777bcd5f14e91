import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadSettings, syncEnabled, workerConfigFromSettings } from '../src/config.ts';
import { workerConfigResolve } from '../src/worker/worker-config.ts';
import { workerSettingsConfig, workerSettingsEnv } from './support/worker-settings.ts';

const run = promisify(execFile);

describe('settings', () => {
  it('leaves syncing on unless SALESFORCE_ENABLED says false, as connectSync() does', () => {
    expect(syncEnabled(loadSettings({}))).toBe(true);
    expect(syncEnabled(loadSettings({ SALESFORCE_ENABLED: 'true' }))).toBe(true);
    expect(syncEnabled(loadSettings({ SALESFORCE_ENABLED: 'false' }))).toBe(false);
    expect(workerConfigResolve(workerConfigFromSettings(loadSettings({}))).enabled).toBe(workerConfigResolve({}).enabled);
  });

  it('takes only true or false for the switch: a typo must not flip it', () => {
    for (const value of ['TRUE', '1', 'yes', 'off']) {
      expect(() => loadSettings({ SALESFORCE_ENABLED: value })).toThrow('Invalid configuration: SALESFORCE_ENABLED must be true or false');
    }
  });

  it('maps every worker variable onto the worker config, and leaves the unset ones to its defaults', () => {
    const env = { SALESFORCE_ENABLED: 'false', ...workerSettingsEnv };
    expect(workerConfigFromSettings(loadSettings(env))).toEqual({ enabled: false, ...workerSettingsConfig });
    expect(workerConfigFromSettings(loadSettings({}))).toEqual({});
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
      'Invalid configuration: DATABASE_URL must be a connection URL of the form postgres://user:password@host:5432/database, or embedded (development only)',
    ]);
  });
});
