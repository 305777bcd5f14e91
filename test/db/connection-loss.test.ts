/**
 * A host's own pool, borrowed by connect-sync: a connection checked out (by the host or by
 * connect-sync's transactions) whose backend is terminated fails the statement on it, and
 * neither the process nor the pool suffers.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { databaseFromPool } from '../../src/db/database.ts';
import { testDatabase } from '../support/database.ts';
import { waitFor } from '../support/wait.ts';

const database = await testDatabase();

describe('a borrowed pool', () => {
  it('survives the backend of a checked-out connection being terminated', async () => {
    const pool = new pg.Pool({ connectionString: database.url, max: 2 });
    const borrowed = databaseFromPool(pool);
    const client = await pool.connect();
    await database.pool.query('SELECT pg_terminate_backend($1)', [(client as pg.PoolClient & { processID: number }).processID]);
    // The client emits 'error' as its connection ends: without connect-sync's listener nothing
    // would handle it and the process would end (vitest reports it as an unhandled error).
    await expect(client.query('SELECT pg_sleep(1)')).rejects.toThrow();
    await waitFor('the connection to be seen gone', () => (client as pg.PoolClient & { _ending?: boolean; _queryable?: boolean })._queryable === false);
    client.release();
    await waitFor('the pool to answer again', async () => (await borrowed.pool.query<{ n: number }>('SELECT 1 AS n')).rows[0]!.n === 1);
    await pool.end();
  });
});

describe('a transaction whose connection is lost before BEGIN', () => {
  it('hands the connection back: the pool keeps its size and ends', async () => {
    const pool = new pg.Pool({ connectionString: database.url, max: 1 });
    const borrowed = databaseFromPool(pool);
    // The connection dies as it is checked out, as when a backend is terminated while idle.
    pool.once('acquire', (client) => (client as pg.PoolClient & { connection: { stream: { destroy(): void } } }).connection.stream.destroy());
    await expect(borrowed.db.transaction(async (tx) => tx.execute('SELECT 1'))).rejects.toThrow();
    // With the one connection still checked out, this would wait for ever.
    const { rows } = await borrowed.db.transaction(async (tx) => tx.execute<{ n: number }>('SELECT 1 AS n'));
    expect(rows[0]?.n).toBe(1);
    await pool.end();
    expect(pool.totalCount).toBe(0);
  });
});
