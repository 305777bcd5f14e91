/**
 * The logger every part receives: pino, JSON for log drains, readable on a terminal.
 * Parts take a child logger carrying what they work on (queue, job id, record id).
 *
 * Every line is one event of at most 4 kB: logged objects pass through {@link logExcerpt}
 * (secrets removed at any depth, long values cut), messages are cut and kept on one line.
 */
import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { Settings } from './config.ts';
import { logExcerpt, stringExcerpt } from './log-excerpt.ts';

export type { Logger };

/** The most a JSON line takes, in bytes; the parts below are budgeted to stay under it. */
export const logLineBytes = 4096;
const objectBytes = 2000;
const bindingsBytes = 600;
const messageChars = 800;

/** A message on one line, without URL passwords, cut to a length whose JSON stays in budget. */
function messageBounded(message: string): string {
  // Control characters become spaces: one event is one line, and their JSON escapes are long.
  return stringExcerpt(message.replace(/[\u0000-\u001f\u007f]+/g, ' '), messageChars);
}

/** The pino options every logger shares: bounded, secret-free lines. */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    formatters: {
      log: (object) => {
        const bounded = logExcerpt(object, objectBytes);
        return typeof bounded === 'string' ? { excerpt: bounded } : bounded;
      },
      bindings: (bindings) => {
        const bounded = logExcerpt(bindings, bindingsBytes);
        return typeof bounded === 'string' ? { bindings: bounded } : bounded;
      },
    },
    hooks: {
      logMethod(args, method) {
        const bounded = args.map((arg) => (typeof arg === 'string' ? messageBounded(arg) : arg));
        return method.apply(this, bounded as Parameters<typeof method>);
      },
    },
  };
}

/**
 * The last guard on a line's size: pino does not pass a child logger's bindings through the
 * formatters, so a line still over {@link logLineBytes} is parsed and cut down again here.
 */
export function logLineBounded(line: string): string {
  if (Buffer.byteLength(line) <= logLineBytes) return line;
  try {
    const { level, time, pid, hostname, msg, ...rest } = JSON.parse(line) as Record<string, unknown>;
    const message = typeof msg === 'string' ? messageBounded(msg) : undefined;
    const bounded = logExcerpt(rest, objectBytes);
    return `${JSON.stringify({ level, time, pid, hostname, ...(typeof bounded === 'string' ? { excerpt: bounded } : bounded), msg: message })}\n`;
  } catch {
    return `${JSON.stringify({ msg: 'log line too large to write', bytes: Buffer.byteLength(line) })}\n`;
  }
}

/** A destination that bounds every line before handing it on. */
function boundedDestination(destination: DestinationStream): DestinationStream {
  return { write: (line: string) => destination.write(logLineBounded(line)) };
}

/** pino-pretty when installed (a development dependency); production installs log JSON without it. */
function prettyStream(destination: DestinationStream | undefined): DestinationStream | undefined {
  try {
    const pretty = createRequire(import.meta.url)('pino-pretty') as (options: object) => DestinationStream;
    return pretty({ sync: true, colorize: process.stdout.isTTY, ignore: 'pid,hostname', translateTime: 'HH:MM:ss.l', destination: destination ?? 1 });
  } catch {
    return undefined;
  }
}

/** The logger for `settings`, writing to stdout unless given another destination. */
export function createLogger(settings: Pick<Settings, 'LOG_LEVEL' | 'LOG_FORMAT'>, destination?: DestinationStream): Logger {
  const format = settings.LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json');
  const options = loggerOptions(settings.LOG_LEVEL);
  const pretty = format === 'pretty' ? prettyStream(destination) : undefined;
  if (pretty) return pino(options, pretty);
  return pino(options, boundedDestination(destination ?? pino.destination({ dest: 1, sync: true })));
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
