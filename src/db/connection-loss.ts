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
