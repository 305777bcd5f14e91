/**
 * Arrows one way: what a production host loads when it imports the package root. The Heroku
 * Connect stand-in (src/connect-sim/) is for development and tests and comes only from
 * `connect-sync/testing`; a root that loaded it would ship the stand-in's code paths (and its
 * way of making mirror tables) into production.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const source = new URL('../src/', import.meta.url);

/** The src/ modules a fresh Node process loads when it imports `entry` (a file under src/). */
async function modulesLoaded(entry: string): Promise<string[]> {
  const script = `
    import { registerHooks } from 'node:module';
    const loaded = [];
    registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });
    await import(${JSON.stringify(new URL(entry, source).href)});
    console.log(JSON.stringify(loaded));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { maxBuffer: 16 * 1024 * 1024 });
  const loaded = JSON.parse(stdout.trim().split('\n').at(-1)!) as string[];
  return loaded.filter((url) => url.startsWith(source.href)).map((url) => url.slice(source.href.length));
}

describe('the package root', () => {
  it('loads nothing of the Connect stand-in; connect-sync/testing does', { timeout: 60_000 }, async () => {
    const root = await modulesLoaded('index.ts');
    expect(root).toContain('connect-sync.ts');
    expect(root.filter((module) => module.startsWith('connect-sim/'))).toEqual([]);
    const testing = await modulesLoaded('testing.ts');
    expect(testing).toContain('connect-sim/connect-sim.ts');
  });
});
