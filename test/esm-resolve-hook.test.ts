/**
 * The resolve hook the bin registers: with it, ESM packages (drizzle-orm, pg-boss), CommonJS ones
 * (pino) and packages with no "type" still load and work as without it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const exec = promisify(execFile);

const script = `
  const { esmFastResolveRegister } = await import('./src/esm-resolve-hook.ts');
  const registered = esmFastResolveRegister();
  const { sql } = await import('drizzle-orm');
  const { drizzle } = await import('drizzle-orm/node-postgres');
  const { PgBoss } = await import('pg-boss');
  const { pino } = await import('pino');
  const pg = (await import('pg')).default;
  const { z } = await import('zod');
  console.log(JSON.stringify({ registered, drizzle: typeof drizzle, sql: typeof sql, boss: typeof PgBoss, pino: typeof pino, pool: typeof pg.Pool, zod: z.string().parse('x') }));
`;

describe('the ESM resolve hook', () => {
  it('leaves every kind of package loading as before', async () => {
    const { stdout } = await exec(process.execPath, ['--input-type=module', '-e', script]);
    expect(JSON.parse(stdout)).toEqual({ registered: true, drizzle: 'function', sql: 'function', boss: 'function', pino: 'function', pool: 'function', zod: 'x' });
  });
});
