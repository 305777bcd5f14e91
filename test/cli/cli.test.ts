/**
 * What an operator sees from the command line when something is off: the version on request, and
 * one line naming the cause and the fix, with a non-zero exit code, never the whole help or a
 * stack trace.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const exec = promisify(execFile);

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['src/cli.ts', ...args], { env: { ...process.env, LOG_FORMAT: 'json', ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as CliResult;
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

const lines = (text: string) => text.trim().split('\n').filter((line) => line !== '');

describe('connect-sync on the command line', () => {
  it('prints the package version', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    const result = await cli(['--version']);
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout.trim()).toBe(version);
  });

  it('answers a usage error with its line and a hint to --help, not the whole help', async () => {
    const unknown = await cli(['frobnicate']);
    expect(unknown.code).not.toBe(0);
    expect(lines(unknown.stderr)).toEqual([expect.stringMatching(/^error: unknown command 'frobnicate'/), expect.stringContaining('--help')]);

    const badOption = await cli(['demo', '--schools', 'many']);
    expect(badOption.code).not.toBe(0);
    expect(lines(badOption.stderr)).toEqual([expect.stringContaining('expected a whole number'), expect.stringContaining('--help')]);
  });

  it('rejects an unknown object before it opens any connection', async () => {
    // Port 1 answers nothing: a connection attempt would fail with a different message.
    const result = await cli(['backfill', 'Nope__c'], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toEqual([expect.stringMatching(/^Unknown object "Nope__c": expected all, or one of school \(Editor__c\)/)]);
  });

  it('names RECONCILER_CRON when it is not a cron expression', async () => {
    const result = await cli(['worker'], { RECONCILER_CRON: 'bad cron', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toEqual(['Invalid configuration: RECONCILER_CRON must be a cron expression such as */5 * * * *, or off']);
  });
});
