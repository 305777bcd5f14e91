/**
 * connect-sync's errors, one family. Every error a public function throws is a ConnectSyncError
 * with a stable `code` a host can branch on (`error.code === 'PAYLOAD_INVALID'`): the code stays
 * when a message is reworded or a class renamed. Where an error carries Postgres's own SQLSTATE,
 * that is `sqlState`; `code` is always connect-sync's.
 */
export abstract class ConnectSyncError extends Error {
  /** Stable, in upper snake case, e.g. `PAYLOAD_INVALID`; distinct for every class. */
  abstract readonly code: string;
}

/** Syncing is off, so an operation that would only make jobs to be discarded changes nothing. */
export class SyncDisabledError extends ConnectSyncError {
  override name = 'SyncDisabledError';
  readonly code = 'SYNC_DISABLED';
}
