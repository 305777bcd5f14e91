/** One transaction on one pooled connection, for raw SQL that needs a session of its own. */
import type pg from 'pg';

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
