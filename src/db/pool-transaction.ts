/** Transactions on pooled connections that always go back to the pool. */
import { drizzle } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import type { Drizzle } from './database.ts';

/** Runs `work` inside BEGIN … COMMIT on a connection from `pool`; rolls back if it throws. */
export async function poolTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Drizzle over `pool`, its `transaction()` run on a connection checked out and released here.
 * Drizzle's own pool-level transaction sends BEGIN before its try/finally, so a connection lost
 * between checkout and BEGIN (a backend terminated, a failover) is never released: the pool holds
 * one connection less for good, and its end() waits forever (a stopping worker exited 13).
 * The pool drops a released connection that is no longer usable.
 */
export function poolDrizzle(pool: pg.Pool): Drizzle {
  const db: Drizzle = drizzle({ client: pool });
  db.transaction = async (work, config) => {
    const client = await pool.connect();
    try {
      return await drizzle({ client }).transaction(work, config);
    } finally {
      client.release();
    }
  };
  return db;
}
