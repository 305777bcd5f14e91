/** What the app's operations need: its database and the way to ask for a sync. */
import type { Drizzle } from '../../db/database.ts';
import type { SyncEnqueuer } from '../../queue/enqueue.ts';

export interface AppContext {
  db: Drizzle;
  sync: SyncEnqueuer;
}

/** The transaction an operation runs in, as `db.transaction(async (tx) => …)` hands it over. */
export type AppTransaction = Parameters<Parameters<Drizzle['transaction']>[0]>[0];
