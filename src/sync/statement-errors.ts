/**
 * Telling a statement that failed on its data (one job's values) from one that failed on the
 * infrastructure (a lost connection, a cancelled statement), by SQLSTATE. The first is the job's
 * fault and is found by running the batch's jobs apart; the second is retried as a whole batch.
 */

/** SQLSTATE classes and codes that say the statement's values were refused. */
const dataClasses = ['22', '23'];
const dataCodes = new Set([
  '42804', // datatype_mismatch
  '42P18', // indeterminate_datatype
  '54000', // program_limit_exceeded (e.g. an index row too large)
  '54001', // statement_too_complex
]);

/** The SQLSTATE of a Postgres error, also when a driver wrapped it (drizzle's `cause`). */
export function sqlState(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/** The Postgres message under any driver wrapping, cut to one bounded line. */
export function sqlMessage(error: unknown, length = 200): string {
  let current = error;
  while ((current as { cause?: unknown })?.cause && !(current as { code?: unknown }).code) current = (current as { cause: unknown }).cause;
  const message = String((current as Error)?.message ?? current).replace(/\s+/g, ' ');
  return message.length > length ? `${message.slice(0, length - 1)}…` : message;
}

/** What a log line or a job's output may say of a failed statement: never the statement or its parameters. */
export interface StatementFailure {
  /** The class of the error under any driver wrapping, e.g. `DatabaseError`. */
  errorClass: string;
  /** The Postgres SQLSTATE, when the database gave one. */
  sqlState?: string;
  /** The database's (or the socket's) own message, on one bounded line. */
  message: string;
}

/** The class, SQLSTATE and bounded message of `error`, under any driver wrapping (Drizzle's carries the statement). */
export function statementFailure(error: unknown, length = 200): StatementFailure {
  let inner = error;
  while ((inner as { cause?: unknown })?.cause && !(inner as { code?: unknown }).code) inner = (inner as { cause: unknown }).cause;
  const errorClass = inner instanceof Error ? inner.constructor.name : typeof inner;
  const state = sqlState(error);
  // Node's socket errors may carry only a code.
  const message = sqlMessage(error, length) || String((inner as { code?: unknown })?.code ?? 'no answer');
  return { errorClass, ...(state ? { sqlState: state } : {}), message };
}

/**
 * Whether `error` is a deadlock or serialization failure: the statement lost a race for row locks
 * (Heroku Connect writing back sfids to the same rows, say) and was rolled back whole.
 */
export function isConflictError(error: unknown): boolean {
  const code = sqlState(error);
  return code === '40P01' || code === '40001';
}

/** Whether `error` is a refusal of the statement's data rather than of the database itself. */
export function isDataError(error: unknown): boolean {
  const code = sqlState(error);
  if (!code) return false;
  return dataClasses.includes(code.slice(0, 2)) || dataCodes.has(code);
}

/** SQLSTATEs of a server going away or not yet taking connections (besides class 08, connection exceptions). */
const connectionCodes = new Set([
  '57P01', // admin_shutdown: the backend was terminated, or the server is stopping
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: the server is starting up or shutting down
  '53300', // too_many_connections: a slot frees up again
]);
/** Node's socket errors of a server that is down or unreachable for now. */
const socketCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EAI_AGAIN']);
/** node-postgres' own words for a connection lost or never made. */
const lostMessage = /Connection terminated|terminating connection|Connection ended|timeout expired|encountered a connection error|Client was closed/i;

/**
 * Whether `error` says the connection was lost or could not be made (a terminated backend, a
 * restarting server, a refused socket): retrying on a new connection heals it. Bad settings
 * (a refused password, a missing database, an unknown host) are not such errors.
 */
export function isConnectionError(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (code.startsWith('08') || connectionCodes.has(code) || socketCodes.has(code))) return true;
    if (current instanceof AggregateError && current.errors.some((inner) => isConnectionError(inner))) return true;
    if (lostMessage.test(String((current as Error).message ?? ''))) return true;
  }
  return false;
}
