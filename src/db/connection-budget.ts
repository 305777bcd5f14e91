/**
 * How many database connections one process may hold (DATABASE_MAX_CONNECTIONS), and how they are
 * split between its pools. Before it a worker allowed 10 + 10 (and opened 11 at start) and the
 * dashboard 10 + 10: on Heroku's smallest plans (20 connections) the dashboard answered 500 and
 * the app beside them was refused. The defaults leave room on a 20-connection plan for the app:
 * worker 8 + dashboard 4 = 12, the app 8 (see docs/settings.md).
 */

/** The long-running processes that share a plan's connections. */
export type ConnectionRole = 'worker' | 'dashboard';

/** DATABASE_MAX_CONNECTIONS when unset, per process. */
export const connectionBudgetDefaults: Record<ConnectionRole, number> = { worker: 8, dashboard: 4 };

/** The fewest a process can work with: the worker's listener, two for pg-boss, one for the sync. */
export const connectionBudgetMin = 4;

/** A process's connections, split. */
export interface ConnectionBudget {
  /** All it may hold. */
  total: number;
  /** connect-sync's own pool (the sync's reads and writes, the waker, the overview page). */
  app: number;
  /** pg-boss's pool (the worker's fetches and settlements), or the jobs pages' requests at once. */
  boss: number;
}

/**
 * The split for `role`: the worker keeps one connection for pg-boss's LISTEN and gives pg-boss
 * 3 of the 7 left by default (fetching and settling batches are short statements), the sync 4;
 * the dashboard gives half to its overview and half to the jobs pages.
 */
export function connectionBudget(role: ConnectionRole, maxConnections?: number): ConnectionBudget {
  const total = Math.max(connectionBudgetMin, maxConnections ?? connectionBudgetDefaults[role]);
  if (role === 'worker') {
    const boss = Math.max(2, Math.floor((total - 1) * 0.45));
    return { total, app: total - 1 - boss, boss };
  }
  const app = Math.ceil(total / 2);
  return { total, app, boss: total - app };
}
