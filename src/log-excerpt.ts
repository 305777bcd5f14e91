/**
 * What of a logged value reaches a log line: secrets never (by key, at any depth, and passwords
 * inside connection URLs), and only a bounded excerpt of the rest, so one event is one line of
 * at most a few kilobytes whatever a job's payload holds.
 */

/** Keys whose values are never logged, matched case-insensitively anywhere in the key. */
const secretKey = /pass(word|wd|phrase)?|secret|token|authori[sz]ation|api[-_]?key|e-?mail|cookie|session|credential|private[-_]?key|connection[-_]?string|database[-_]?url/i;

/** `scheme://user:password@` → the password replaced. */
const urlPassword = /([a-z][a-z0-9+.-]{0,30}:\/\/[^:/?#@\s]{0,200}:)[^@/\s]{0,500}@/gi;

/** How much of a value an excerpt keeps; `tight` applies when the first try is still too large. */
interface ExcerptLimits {
  string: number;
  depth: number;
  keys: number;
  items: number;
}
const loose: ExcerptLimits = { string: 300, depth: 4, keys: 20, items: 10 };
const tight: ExcerptLimits = { string: 60, depth: 2, keys: 8, items: 3 };

/** The longest key kept as it is. */
const keyLength = 60;

/** The censor put in place of a secret. */
export const redacted = '[redacted]';

/** A string with any URL password replaced and cut to `length` characters. */
export function stringExcerpt(value: string, length: number): string {
  // Cut before redacting: the pattern's work grows with the text, and a payload string may be megabytes.
  const kept = value.length > length ? value.slice(0, length + 800) : value;
  const clean = kept.replace(urlPassword, `$1${redacted}@`);
  return value.length > length ? `${clean.slice(0, length)}…(${value.length} chars)` : clean;
}

function excerpt(value: unknown, limits: ExcerptLimits, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return stringExcerpt(value, limits.string);
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
  if (value instanceof Date) return value;
  if (seen.has(value)) return '[circular]';
  if (depth >= limits.depth) return Array.isArray(value) ? `[array of ${value.length}]` : '[object]';
  seen.add(value);
  if (Array.isArray(value)) {
    const items = value.slice(0, limits.items).map((item) => excerpt(item, limits, depth + 1, seen));
    if (value.length > limits.items) items.push(`…${value.length - limits.items} more`);
    return items;
  }
  const source = value instanceof Error ? errorFields(value) : (value as Record<string, unknown>);
  const entries = Object.entries(source);
  const result: Record<string, unknown> = {};
  for (const [key, item] of entries.slice(0, limits.keys)) {
    const name = key.length > keyLength ? `${key.slice(0, keyLength)}…` : key;
    result[name] = secretKey.test(key) ? redacted : excerpt(item, limits, depth + 1, seen);
  }
  if (entries.length > limits.keys) result['…'] = `${entries.length - limits.keys} more keys`;
  return result;
}

/** An error as plain fields: type, message, code, stack (its own keys too, e.g. Postgres's detail). */
function errorFields(error: Error): Record<string, unknown> {
  const { name, message, stack, ...own } = error as Error & Record<string, unknown>;
  const cause = (error as { cause?: unknown }).cause;
  return { type: name, message, ...own, stack, ...(cause === undefined ? {} : { cause }) };
}

/**
 * A bounded, secret-free copy of `value` whose JSON takes at most `bytes` bytes: first with loose
 * limits, then tight ones, else a placeholder saying how large it was.
 */
export function logExcerpt<T>(value: T, bytes: number): T | string {
  for (const limits of [loose, tight]) {
    const copy = excerpt(value, limits, 0, new WeakSet());
    if (Buffer.byteLength(JSON.stringify(copy) ?? '') <= bytes) return copy as T;
  }
  return `[too large to log]`;
}
