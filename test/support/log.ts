/** A logger whose lines a test can read. */
import { pino, type Logger } from 'pino';

export interface CapturedLog {
  log: Logger;
  lines: { level: number; msg: string; [key: string]: unknown }[];
}

export function logCapture(level = 'info'): CapturedLog {
  const lines: CapturedLog['lines'] = [];
  const log = pino({ level }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { log, lines };
}
