import { ConnectSyncError } from '../errors.ts';
import { statementFailure } from './statement-errors.ts';

/**
 * The two ways a sync job does not write: it waits (a parent is not in Salesforce yet; retried
 * on the schedule) or it gives up now (the job itself is wrong; retrying cannot help).
 */

/** A parent (or the row an update-only object changes) is not in Salesforce yet. Retried. */
export class ParentNotSyncedError extends ConnectSyncError {
  readonly code = 'PARENT_NOT_SYNCED';
  /** The Salesforce object waited for, e.g. `Editor__c`. */
  readonly parent: string;
  /** The mirror column matched on, e.g. `editoruuid__c`. */
  readonly externalId: string;
  readonly value: string;
  /** Whether the parent's mirror row exists (it then has no sfid yet). */
  readonly mirrorRowExists: boolean;

  /** The parent's mirror table itself was missing (Connect reloading the mapping): the record waits all the same. */
  readonly mirrorTableMissing: boolean;

  constructor(parent: string, externalId: string, value: string, mirrorRowExists: boolean, mirrorTableMissing = false) {
    super(`${parent} not yet synced for ${externalId}: ${value}${mirrorTableMissing ? ` (its mirror table is missing for now)` : ''}`);
    this.parent = parent;
    this.externalId = externalId;
    this.value = value;
    this.mirrorRowExists = mirrorRowExists;
    this.mirrorTableMissing = mirrorTableMissing;
  }
}

/**
 * The object's own mirror table does not exist, so nothing of it can be written: a real error,
 * retried as one (unlike a parent's missing table, which only makes its children wait).
 */
export class MirrorTableMissingError extends Error {
  override name = 'MirrorTableMissingError';
  /** Postgres's undefined_table, kept here so what is stored and logged is this message, not the statement's. */
  readonly code = '42P01';
}

/** The payload is not of the queue's shape. Given up at once. */
export class PayloadInvalidError extends ConnectSyncError { readonly code = 'PAYLOAD_INVALID'; }

/** A record the app does not have, named by a job's payload (given up at once) or an app operation. */
export class RecordNotFoundError extends ConnectSyncError { readonly code = 'RECORD_NOT_FOUND'; }

/**
 * The database refused this job's row (a value out of range, a constraint), found by running
 * the job apart from its batch. Retrying cannot help; given up at once.
 */
export class RowRefusedError extends ConnectSyncError {
  readonly code = 'ROW_REFUSED';
  /** The Postgres SQLSTATE, e.g. `22003` (numeric value out of range). */
  readonly sqlState: string;

  constructor(message: string, sqlState: string, options?: ErrorOptions) {
    super(message, options);
    this.sqlState = sqlState;
  }
}

/** The longest message a failed batch hands pg-boss, which stores it as each job's output and logs it. */
const batchFailureMessageChars = 1000;

/**
 * A batch that failed as a whole (a lost connection, a cancelled statement, the database refusing
 * the write for a reason not of one job's data). pg-boss stores the error a handler throws as
 * every job's output, and Drizzle's message holds the whole statement and all its parameters:
 * payload values, 500 jobs' worth in each job's row (555 kB each, measured). What is stored and
 * logged instead: the error's class, its SQLSTATE and the database's own message, bounded.
 */
export class SyncBatchFailedError extends ConnectSyncError {
  readonly code = 'SYNC_BATCH_FAILED';
  /** The class of the error underneath, e.g. `DatabaseError`. */
  readonly errorClass: string;
  /** The Postgres SQLSTATE, when the database gave one. */
  readonly sqlState?: string;

  constructor(errorClass: string, sqlState: string | undefined, message: string) {
    super(message);
    this.errorClass = errorClass;
    if (sqlState) this.sqlState = sqlState;
    // pg-boss stores the stack too: its first line says it all.
    this.stack = `${this.name}: ${message}`;
  }
}

/** The bounded, parameter-free error that stands for `error` in the jobs' output and the logs. */
export function batchFailure(error: unknown): SyncBatchFailedError {
  if (error instanceof SyncBatchFailedError) return error;
  const { errorClass, sqlState, message } = statementFailure(error, batchFailureMessageChars);
  return new SyncBatchFailedError(errorClass, sqlState, message);
}
