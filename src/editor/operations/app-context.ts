/** What the app's operations need: its database and the way to ask for a sync. */
import type { Drizzle } from '../../db/database.ts';
import type { SyncEnqueuer } from '../../queue/enqueue.ts';

export interface AppContext {
  db: Drizzle;
  sync: SyncEnqueuer;
}
