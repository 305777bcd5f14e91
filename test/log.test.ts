/** Secrets never reach a log line. */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createLogger, describeDatabaseUrl } from '../src/log.ts';

describe('logging', () => {
  it('redacts passwords and connection strings wherever they sit', () => {
    const lines: string[] = [];
    const destination = { write: (line: string) => void lines.push(line) };
    const log = createLogger({ LOG_LEVEL: 'info', LOG_FORMAT: 'json' }, destination);
    log.info(
      { password: 'hunter2hunter2', connectionString: 'postgres://app:s3cret@db:5432/app', nested: { DATABASE_URL: 'postgres://app:s3cret@db/app' } },
      'connected',
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/hunter2|s3cret/);
    expect(JSON.parse(lines[0]!)).toMatchObject({ password: '[redacted]', connectionString: '[redacted]', nested: { DATABASE_URL: '[redacted]' } });
    expect(pino.levels.values.info).toBe(JSON.parse(lines[0]!).level);
  });

  it('describes a database by host, port and name only', () => {
    expect(describeDatabaseUrl('postgres://app:s3cret@db.example:6543/appdb')).toBe('db.example:6543/appdb');
    expect(describeDatabaseUrl('not a url')).toBe('(unparseable database URL)');
  });
});
