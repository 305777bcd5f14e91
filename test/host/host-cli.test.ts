/**
 * Finding a host's declarations: the config file the CLI reads (as drizzle-kit finds its own),
 * and the one-line refusals before any connection is opened.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigFileError, syncConfigLoad } from '../../src/config-file.ts';

function cli(args: string[], env: Record<string, string>, cwd = process.cwd()): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(import.meta.dirname, '../../src/cli.ts'), ...args], { cwd, env: { ...process.env, ...sourceCondition, LOG_FORMAT: 'json', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

// From the sources: the config's connect-sync imports resolve to src/ without a restart.
const sourceCondition = { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --conditions=connect-sync-source`.trim() };

// Nothing listens on port 1: a command that connected first would fail on the connection instead.
const unreachable = { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', SALESFORCE_ENABLED: 'true' };

describe('the config file', () => {
  it('is found in the working folder, as the example host app keeps it', async () => {
    const loaded = await syncConfigLoad({ cwd: 'examples/host-app' });
    expect(loaded.source).toMatch(/examples\/host-app\/connect-sync\.config\.js$/);
    expect(loaded.config.objects.objects.map((object) => object.name)).toEqual(['Account', 'Employee__c']);
  });

  it("is this repository's own at its root, naming the editor preset", async () => {
    const loaded = await syncConfigLoad({});
    expect(loaded.source).toMatch(/\/connect-sync\.config\.js$/);
    expect(loaded.config.objects.named('Editor__c')).toBeDefined();
  });

  it('is required: without one, no objects are assumed', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'connect-sync-config-'));
    await expect(syncConfigLoad({ cwd: folder })).rejects.toThrow(ConfigFileError);
    await expect(syncConfigLoad({ cwd: folder })).rejects.toThrow(`No connect-sync config: give --config <file> or CONNECT_SYNC_CONFIG, or put connect-sync.config.ts, connect-sync.config.mjs, connect-sync.config.js in ${folder} (none is there).`);
  });

  it('says what is wrong with a file that exports no config', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'connect-sync-config-'));
    writeFileSync(join(folder, 'connect-sync.config.mjs'), 'export default { tables: [] };\n');
    await expect(syncConfigLoad({ cwd: folder })).rejects.toThrow(ConfigFileError);
    await expect(syncConfigLoad({ cwd: folder })).rejects.toThrow(/needs `objects`: an array of defineMirrorObject/);
  });
});

describe('the command line', () => {
  it('refuses an object the config does not declare, in one line, without connecting', async () => {
    const result = await cli(['backfill', 'Employee__c'], unreachable);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^Unknown object "Employee__c": expected all, or one of school \(Editor__c\)/)]);
  });

  it('stops every command that reads objects, in one line, in a folder with no config', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'connect-sync-config-'));
    const commands = [['migrate'], ['worker'], ['doctor'], ['repair'], ['backfill', 'all'], ['redrive'], ['dashboard']];
    const results = await Promise.all(commands.map((command) => cli(command, unreachable, folder)));
    for (const [index, result] of results.entries()) {
      expect(result.code, commands[index]!.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n'), commands[index]!.join(' ')).toEqual([expect.stringMatching(/^No connect-sync config: give --config <file> or CONNECT_SYNC_CONFIG/)]);
    }
  }, 300_000);

  it('stops every command that needs the database, in one line, without DATABASE_URL: no server is guessed', async () => {
    const commands = [['migrate'], ['worker'], ['doctor'], ['dashboard']];
    const env = { DATABASE_URL: '', DASHBOARD_USER: 'ops', DASHBOARD_PASSWORD: 'a-long-enough-password' };
    const results = await Promise.all(commands.map((command) => cli(command, env)));
    for (const [index, result] of results.entries()) {
      expect(result.code, commands[index]!.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n'), commands[index]!.join(' ')).toEqual([
        'DATABASE_URL is not set: name the database holding the app\'s tables, the mirror and the queue (postgres://user:password@host:5432/database), or set DATABASE_URL=embedded for a development server.',
      ]);
    }
  }, 300_000);

  it('says in one line when the config file named is missing', async () => {
    const result = await cli(['--config', 'no-such.config.ts', 'doctor'], unreachable);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^Config file no-such\.config\.ts not found/)]);
  });
});
