/**
 * How many database connections one process may hold (DATABASE_MAX_CONNECTIONS), and how they are
 * split between its pools. Before it a worker allowed 10 + 10 (and opened 11 at start) and the
 * dashboard 10 + 10: on Heroku's smallest plans (20 connections) the dashboard answered 500 and
 * the app beside them was refused. The defaults leave room on a 20-connection plan for the app:
 * worker 8 + dashboard 4 = 12, the app 8 (see docs/settings.md). A one-off command run beside
 * them (heroku run) holds 3 instead of up to 12.
 */

/** The processes that share a plan's connections: the long-running ones, and a one-off command (migrate, doctor, repair, backfill, redrive). */
export type ConnectionRole = 'worker' | 'dashboard' | 'command';

/**
 * DATABASE_MAX_CONNECTIONS when unset, per process. A one-off command always takes its 3, whatever
 * the setting (it is the long-running processes'): a lock held while it works (migrate, backfill),
 * one for the work, one for pg-boss where it enqueues.
 */
export const connectionBudgetDefaults: Record<ConnectionRole, number> = { worker: 8, dashboard: 4, command: 3 };

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
 * the dashboard gives half to its overview and half to the jobs pages; a command gives pg-boss one.
 */
export function connectionBudget(role: ConnectionRole, maxConnections?: number): ConnectionBudget {
  if (role === 'command') return { total: connectionBudgetDefaults.command, app: connectionBudgetDefaults.command - 1, boss: 1 };
  const total = Math.max(connectionBudgetMin, maxConnections ?? connectionBudgetDefaults[role]);
  if (role === 'worker') {
    const boss = Math.max(2, Math.floor((total - 1) * 0.45));
    return { total, app: total - 1 - boss, boss };
  }
  const app = Math.ceil(total / 2);
  return { total, app, boss: total - app };
}
