/**
 * The logger every part receives: pino, JSON for log drains, readable on a terminal.
 * Parts take a child logger carrying what they work on (queue, job id, record id).
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { Settings } from './config.ts';

export type { Logger };

/** Keys whose values never reach a log line, wherever they sit in a logged object. */
const secretKeys = ['password', 'connectionString', 'databaseUrl', 'DATABASE_URL', 'authorization', 'DASHBOARD_PASSWORD'];
const redact = secretKeys.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

/** The logger for `settings`, writing to stdout unless given another destination. */
export function createLogger(settings: Pick<Settings, 'LOG_LEVEL' | 'LOG_FORMAT'>, destination?: DestinationStream): Logger {
  const format = settings.LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json');
  const options = { level: settings.LOG_LEVEL, redact: { paths: redact, censor: '[redacted]' } };
  if (format === 'json') return destination ? pino(options, destination) : pino(options);
  return pino(
    options,
    pretty({ sync: true, colorize: process.stdout.isTTY, ignore: 'pid,hostname', translateTime: 'HH:MM:ss.l', destination: destination ?? 1 }),
  );
}

/** A logger that writes nothing, for library callers that pass none. */
export const silentLogger: Logger = pino({ level: 'silent' });

/** A connection URL with its password removed, for messages about where we connected. */
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return '(unparseable database URL)';
  }
}
