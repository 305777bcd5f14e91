/**
 * A database connection lost (a backend terminated, a failover, a server restart) must fail only
 * the work on it, never the process. node-postgres emits 'error' on a client whose connection
 * drops; pg-pool listens on idle clients only and takes its listener off a client while it is
 * checked out, so a connection lost inside a transaction (the waker's, the settling of waits)
 * would emit 'error' with nothing listening, and Node ends the process. Every pool connect-sync
 * owns or borrows gets a listener on every client, checked out or idle; the statement in flight
 * still fails, its work is retried, and the pool drops the dead client when it is released.
 */
import type pg from 'pg';
import type { Logger } from '../log.ts';
import { isConnectionError, sqlMessage } from '../sync/statement-errors.ts';
import { ConnectSyncError } from '../errors.ts';

const guardedPools = new WeakSet<pg.Pool>();
const guardedClients = new WeakSet<pg.PoolClient>();
const ignore = () => undefined;

/** Listens for errors on every connection of `pool`, idle or checked out. Idempotent. */
export function poolConnectionsGuard(pool: pg.Pool): void {
  if (guardedPools.has(pool)) return;
  guardedPools.add(pool);
  // An idle client that loses its connection: the pool removes it and emits this.
  pool.on('error', ignore);
  // On every checkout, not only on connect: a borrowed pool may hold clients made before we came.
  pool.on('acquire', (client) => {
    if (guardedClients.has(client)) return;
    guardedClients.add(client);
    client.on('error', ignore);
  });
}

/** Thrown by {@link databaseReachableWait} when its signal ends the wait. */
export class DatabaseWaitAbortedError extends ConnectSyncError { readonly code = 'DATABASE_WAIT_ABORTED'; }

/** The longest pause between two attempts to reach the database. */
const retryMaxMs = 10_000;

/**
 * Resolves once the database answers, trying again with backoff (0.5 s doubling, at most 10 s)
 * while the failure is a connection that cannot be made for now; one warning when it is first
 * found unreachable and one line when it answers again. An error retrying cannot heal (a refused
 * password, a missing database) is thrown at once, and so is {@link DatabaseWaitAbortedError}
 * when `signal` aborts (SIGTERM while waiting).
 */
export async function databaseReachableWait(
  database: { pool: pg.Pool; description: string },
  log: Logger,
  options: { signal?: AbortSignal; retryMaxMs?: number } = {},
): Promise<void> {
  const since = Date.now();
  let delayMs = 500;
  let unreachable = false;
  for (;;) {
    if (options.signal?.aborted) throw new DatabaseWaitAbortedError(`stopped while waiting for the database ${database.description}`);
    try {
      await database.pool.query('SELECT 1');
      if (unreachable) {
        log.info({ database: database.description, waitedSeconds: Math.round((Date.now() - since) / 1000) }, `database ${database.description} reachable again`);
      }
      return;
    } catch (error) {
      if (!isConnectionError(error)) {
        throw new Error(`Cannot connect to Postgres at ${database.description}: ${connectionFailure(error)}`, { cause: error });
      }
      if (!unreachable) {
        log.warn({ database: database.description }, `database ${database.description} unreachable (${connectionFailure(error)}): retrying until it answers`);
        unreachable = true;
      }
    }
    await abortableDelay(delayMs, options.signal);
    delayMs = Math.min(delayMs * 2, options.retryMaxMs ?? retryMaxMs);
  }
}

/** What went wrong, in a few words: Node's socket errors may carry only a code. */
function connectionFailure(error: unknown): string {
  return sqlMessage(error) || String((error as { code?: unknown }).code ?? 'no answer');
}

function abortableDelay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done);
  });
}
