/**
 * connect-sync's errors, one family. Every error a public function throws is a ConnectSyncError
 * with a stable `code` a host can branch on (`error.code === 'PAYLOAD_INVALID'`): the code stays
 * when a message is reworded or a class renamed. Where an error carries Postgres's own SQLSTATE,
 * that is `sqlState`; `code` is always connect-sync's.
 */
export abstract class ConnectSyncError extends Error {
  /** Stable, in upper snake case, e.g. `PAYLOAD_INVALID`; distinct for every class. */
  abstract readonly code: string;

  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    // Each class's own name (`PayloadInvalidError`), as a stack's first line and a job's output show it.
    this.name = new.target.name;
  }
}

/** Syncing is off, so an operation that would only make jobs to be discarded changes nothing. */
export class SyncDisabledError extends ConnectSyncError { readonly code = 'SYNC_DISABLED'; }
