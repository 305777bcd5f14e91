/**
 * Whether the database answers, as one process finds it. While it is down every periodic part of
 * the worker fails (each batch, each poll of pg-boss, the waker's ticks, the summaries, the
 * metrics' samples): they report their failures here, and the process says one warning when the
 * database becomes unreachable and one line when it answers again, instead of a line per failure.
 * The start-up wait (a worker started during a failover) is the same state: its lines are these.
 */
import type pg from 'pg';
import type { Logger } from '../log.ts';
import { ConnectSyncError } from '../errors.ts';
import { isConnectionError, statementFailure } from '../sync/statement-errors.ts';

/** Thrown by {@link DatabaseReachability.wait} when its signal ends the wait. */
export class DatabaseWaitAbortedError extends ConnectSyncError { readonly code = 'DATABASE_WAIT_ABORTED'; }

/** The longest pause between two attempts to reach the database. */
const retryMaxMs = 10_000;

/**
 * After the database answers again, how long failures of work begun during the outage are taken
 * as its stragglers (said at debug) rather than as a new connection lost.
 */
const stragglersMs = 5_000;

/** How long after a first lost connection the database is asked whether it answers. */
const checkDelayMs = 1_000;

type State = 'reachable' | 'checking' | 'unreachable';

/** One process's view of whether its database answers; see the module comment. */
export class DatabaseReachability {
  readonly #database: { pool: pg.Pool; description: string };
  readonly #log: Logger;
  readonly #retryMaxMs: number;
  #state: State = 'reachable';
  /** When the database was found unreachable; when it answered again. */
  #downSince = 0;
  #backAt = -Infinity;
  readonly #stopped = new AbortController();

  constructor(database: { pool: pg.Pool; description: string }, log: Logger, options: { retryMaxMs?: number } = {}) {
    this.#database = database;
    this.#log = log;
    this.#retryMaxMs = options.retryMaxMs ?? retryMaxMs;
  }

  /** False from the moment the database is found unreachable until it answers again. */
  get reachable(): boolean {
    return this.#state !== 'unreachable';
  }

  /**
   * Takes a part's failure. A lost or refused connection is this holder's to say, once: returns
   * true, and the part logs nothing of its own (its work is retried as after any failure). The
   * first such failure checks the database: when it answers, one connection was lost (one line);
   * when it does not, the database is unreachable until a check or a part's statement finds it
   * back. Any other error returns false: the part says it as its own.
   */
  failed(error: unknown, part: string): boolean {
    if (!isConnectionError(error)) return false;
    const failure = statementFailure(error);
    this.#log.debug({ part, errorClass: failure.errorClass, sqlState: failure.sqlState }, `${part}: ${failure.message}`);
    if (this.#state === 'reachable') {
      this.#state = 'checking';
      void this.#check(error, part);
    }
    return true;
  }

  /** A part's statement went through: an outage said, if any, is over. */
  answered(): void {
    if (this.#state !== 'unreachable') return;
    this.#state = 'reachable';
    this.#backAt = Date.now();
    const waitedSeconds = Math.round((this.#backAt - this.#downSince) / 1000);
    this.#log.info({ database: this.#database.description, waitedSeconds }, `database ${this.#database.description} reachable again`);
  }

  /**
   * Resolves once the database answers, trying again with backoff (0.5 s doubling, at most 10 s)
   * while the failure is a connection that cannot be made for now; said as {@link failed} says it.
   * An error retrying cannot heal (a refused password, a missing database) is thrown at once, and
   * so is {@link DatabaseWaitAbortedError} when `signal` aborts (SIGTERM while waiting).
   */
  async wait(signal?: AbortSignal): Promise<void> {
    for (let delayMs = 500; ; delayMs = Math.min(delayMs * 2, this.#retryMaxMs)) {
      if (signal?.aborted) throw new DatabaseWaitAbortedError(`stopped while waiting for the database ${this.#database.description}`);
      const error = await this.#ask();
      if (error === undefined) return;
      if (!isConnectionError(error)) {
        throw new Error(`Cannot connect to Postgres at ${this.#database.description}: ${statementFailure(error).message}`, { cause: error });
      }
      this.#down(error);
      await abortableDelay(delayMs, signal);
    }
  }

  /** Ends the checks in the background (the worker's stop). */
  stop(): void {
    this.#stopped.abort();
  }

  /** After a first connection failure: one lost connection, or the database gone until it answers. */
  async #check(error: unknown, part: string): Promise<void> {
    // A server shutting down terminates its backends one by one: asked at once, one not yet
    // terminated still answers, and an outage would be said as a lost connection first.
    await abortableDelay(checkDelayMs, this.#stopped.signal, { unref: true });
    if (this.#stopped.signal.aborted) return;
    const answer = await this.#ask();
    if (answer === undefined) {
      this.#state = 'reachable';
      const failure = statementFailure(error);
      // Work begun while the database was down may fail just after it is back: not a new loss.
      const level = Date.now() - this.#backAt < stragglersMs ? 'debug' : 'warn';
      this.#log[level]({ part, errorClass: failure.errorClass, sqlState: failure.sqlState }, `database connection lost (${failure.message}): the work on it is retried`);
      return;
    }
    this.#down(answer);
    for (let delayMs = 500; this.#state === 'unreachable' && !this.#stopped.signal.aborted; delayMs = Math.min(delayMs * 2, this.#retryMaxMs)) {
      await abortableDelay(delayMs, this.#stopped.signal, { unref: true });
      if (this.#state === 'unreachable') await this.#ask();
    }
  }

  /** One `SELECT 1`: undefined when it answered (and an outage, if any, is over), else its error. */
  async #ask(): Promise<unknown> {
    try {
      await this.#database.pool.query('SELECT 1');
      this.answered();
      return undefined;
    } catch (error) {
      return error ?? new Error('no answer');
    }
  }

  /** The database does not answer: said once, until it answers again. */
  #down(error: unknown): void {
    if (this.#state === 'unreachable') return;
    this.#state = 'unreachable';
    this.#downSince = Date.now();
    const failure = statementFailure(error);
    this.#log.warn(
      { database: this.#database.description, errorClass: failure.errorClass, sqlState: failure.sqlState },
      `database ${this.#database.description} unreachable (${failure.message}): retrying until it answers`,
    );
  }
}

function abortableDelay(ms: number, signal: AbortSignal | undefined, { unref = false } = {}): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    if (unref) timer.unref();
    signal?.addEventListener('abort', done);
  });
}
