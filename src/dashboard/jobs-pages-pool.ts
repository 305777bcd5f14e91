/**
 * The jobs pages (@pg-boss/dashboard) query through a pg Pool of their own, fixed at 10
 * connections with no option to change it: more than the dashboard's whole share of a
 * 20-connection plan, so on such a plan they answered 500 ("too many clients"). That package
 * takes pg's Pool when it loads; this module is imported before it and hands it a Pool whose size
 * is capped at what the process's connection budget gives the jobs pages.
 */
import pg from 'pg';

let jobsPagesConnections = Number.POSITIVE_INFINITY;

/** The most connections the jobs pages' pool opens, from here on. */
export function jobsPagesPoolCap(connections: number): void {
  jobsPagesConnections = connections;
}

const UncappedPool = pg.Pool;

class JobsPagesPool extends UncappedPool {
  constructor(config: pg.PoolConfig = {}) {
    super({ ...config, max: Math.min(config.max ?? 10, jobsPagesConnections) });
  }
}

(pg as { Pool: typeof pg.Pool }).Pool = JobsPagesPool;
