/**
 * The two ways a sync job does not write: it waits (a parent is not in Salesforce yet; retried
 * on the schedule) or it gives up now (the job itself is wrong; retrying cannot help).
 */

/** A parent (or the row an update-only object changes) is not in Salesforce yet. Retried. */
export class ParentNotSyncedError extends Error {
  override name = 'ParentNotSyncedError';
  /** The Salesforce object waited for, e.g. `Editor__c`. */
  readonly parent: string;
  /** The mirror column matched on, e.g. `editoruuid__c`. */
  readonly externalId: string;
  readonly value: string;
  /** Whether the parent's mirror row exists (it then has no sfid yet). */
  readonly mirrorRowExists: boolean;

  constructor(parent: string, externalId: string, value: string, mirrorRowExists: boolean) {
    super(`${parent} not yet synced for ${externalId}: ${value}`);
    this.parent = parent;
    this.externalId = externalId;
    this.value = value;
    this.mirrorRowExists = mirrorRowExists;
  }
}

/** The payload is not of the queue's shape. Given up at once. */
export class PayloadInvalidError extends Error {
  override name = 'PayloadInvalidError';
}

/** The payload names a record the app does not have. Given up at once. */
export class RecordNotFoundError extends Error {
  override name = 'RecordNotFoundError';
}

/**
 * The database refused this job's row (a value out of range, a constraint), found by running
 * the job apart from its batch. Retrying cannot help; given up at once.
 */
export class RowRefusedError extends Error {
  override name = 'RowRefusedError';
  /** The Postgres SQLSTATE, e.g. `22003` (numeric value out of range). */
  readonly code: string;

  constructor(message: string, code: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}
