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

/** Whether `error` is a refusal of the statement's data rather than of the database itself. */
export function isDataError(error: unknown): boolean {
  const code = sqlState(error);
  if (!code) return false;
  return dataClasses.includes(code.slice(0, 2)) || dataCodes.has(code);
}
