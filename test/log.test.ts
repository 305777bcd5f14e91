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

describe('log lines', () => {
  const capture = () => {
    const lines: string[] = [];
    const log = createLogger({ LOG_LEVEL: 'info', LOG_FORMAT: 'json' }, { write: (line: string) => void lines.push(line) });
    return { log, lines };
  };

  it('never carry secrets, at any depth or inside a connection URL', () => {
    const { log, lines } = capture();
    const data = {
      schoolId: 'x',
      profile: { session: { token: 'tok-SECRET1' }, contacts: [{ email: 'someone@example.com' }], headers: { Authorization: 'Bearer SECRET2' } },
      config: { a: { b: { apiKey: 'SECRET3', client_secret: 'SECRET4', Password: 'SECRET5' } } },
      note: 'connect with postgres://app:SECRET6@db.example.com:5432/app',
    };
    log.error({ data }, 'rejected postgres://app:SECRET7@db/app');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/SECRET|someone@example/);
    expect(JSON.parse(lines[0]!).data.profile.headers.Authorization).toBe('[redacted]');
  });

  it('are one line of at most 4 kB, whatever is logged', () => {
    const { log, lines } = capture();
    const nested: Record<string, unknown> = {};
    let level = nested;
    for (let i = 0; i < 50; i++) level = level[`k${i}`] = { list: Array.from({ length: 1000 }, (_, n) => n), text: 'y'.repeat(10_000) };
    log.error({ data: { huge: 'x'.repeat(1_000_000), nested }, err: new Error('boom\nsecond line') }, `first line\nsecond line ${'z'.repeat(100_000)}`);
    log.child({ jobId: 'j'.repeat(100_000) }).info('child');
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(Buffer.byteLength(line)).toBeLessThanOrEqual(4096);
      expect(line.trimEnd()).not.toContain('\n');
      JSON.parse(line);
    }
  });
});
