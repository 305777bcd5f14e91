/**
 * Cancelling the worker's own running statements when it must stop: a statement blocked on a
 * lock would otherwise keep the process alive past Heroku's 30 s (the pool waits for it to end).
 * Each batch writes in one statement, so a cancelled one leaves nothing half-written; its jobs
 * go back to the queue for a retry.
 */
import pg from 'pg';
import type { Database } from '../db/database.ts';

/** The pool's connections currently checked out, by backend pid. */
export interface PoolBusyTracker {
  /** Backend pids of the connections running something now. */
  pids(): number[];
  /** Stops tracking. */
  dispose(): void;
}

/** Follows which of `pool`'s connections are checked out (acquired and not yet released). */
export function poolBusyTrack(pool: pg.Pool): PoolBusyTracker {
  const busy = new Set<pg.PoolClient>();
  const acquired = (client: pg.PoolClient) => void busy.add(client);
  const released = (_error: Error | undefined, client: pg.PoolClient) => void busy.delete(client);
  const removed = (client: pg.PoolClient) => void busy.delete(client);
  pool.on('acquire', acquired);
  pool.on('release', released);
  pool.on('remove', removed);
  return {
    pids: () => [...busy].map((client) => (client as pg.PoolClient & { processID: number | null }).processID).filter((pid): pid is number => typeof pid === 'number'),
    dispose() {
      pool.off('acquire', acquired);
      pool.off('release', released);
      pool.off('remove', removed);
    },
  };
}

/**
 * Cancels (pg_cancel_backend) the running statements of the backends named by pid or by
 * application_name, in this database only; returns how many were cancelled. Uses a connection
 * of its own, since the pools may be exhausted by the very statements being cancelled.
 */
export async function backendStatementsCancel(database: Pick<Database, 'url' | 'ssl'>, backends: { pids: number[]; applicationName?: string }): Promise<number> {
  const client = new pg.Client({ connectionString: database.url, ssl: database.ssl, connectionTimeoutMillis: 3000, application_name: 'connect-sync stop' });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rows } = await client.query<{ cancelled: number }>(
      `SELECT count(*) FILTER (WHERE pg_cancel_backend(pid))::int AS cancelled FROM pg_stat_activity
       WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active'
         AND (pid = ANY($1::int[]) OR ($2::text IS NOT NULL AND application_name = $2))`,
      [backends.pids, backends.applicationName ?? null],
    );
    return rows[0]?.cancelled ?? 0;
  } finally {
    await client.end().catch(() => undefined);
  }
}
