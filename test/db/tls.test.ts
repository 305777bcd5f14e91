/**
 * TLS as libpq and Heroku mean it, against a server with ssl=on and a self-signed certificate
 * made here: the URL's sslmode decides as in libpq (require: encrypted, not verified), DATABASE_SSL
 * applies when the URL has none, and when both are given and disagree the command stops in one
 * line. The dashboard's /queues connects with the same TLS as every other client.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardDatabaseUrl } from '../../src/dashboard/dashboard-listen.ts';
import { databaseOpen, type Database } from '../../src/db/database.ts';
import type { DatabaseSslSetting } from '../../src/db/database-tls.ts';
import { embeddedServerStart, type EmbeddedServer } from '../../src/db/embedded-postgres.ts';
import { postgresUserIds } from '../../src/db/postgres-native.ts';
import { silentLogger } from '../../src/log.ts';

const folder = mkdtempSync(join(tmpdir(), 'connect-sync-tls-'));
const cert = join(folder, 'server.crt');
const key = join(folder, 'server.key');
let server: EmbeddedServer;

beforeAll(async () => {
  // Postgres runs as its own user when we are root: it must reach the folder and own the key.
  chmodSync(folder, 0o755);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'], { stdio: 'ignore' });
  chmodSync(key, 0o600);
  const ids = postgresUserIds();
  if ('uid' in ids) for (const file of [cert, key]) chownSync(file, ids.uid, ids.gid);
  server = await embeddedServerStart(join(folder, 'pg'), silentLogger, { persistent: false, settings: { ssl: 'on', ssl_cert_file: cert, ssl_key_file: key } });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  rmSync(folder, { recursive: true, force: true });
});

/** The server's URL on host `localhost`, with `query` appended. */
const urlWith = (query: string) => {
  const url = new URL(server.url('postgres'));
  url.hostname = 'localhost';
  return `${url.toString()}${query ? `?${query}` : ''}`;
};

type Outcome = 'plain' | 'tls' | 'untrusted' | 'conflict';

/** What a command's connection does with this URL and DATABASE_SSL; and the dashboard's, the same. */
async function outcome(query: string, setting: DatabaseSslSetting | undefined): Promise<{ main: Outcome; dashboard?: Outcome; message?: string }> {
  let database: Database;
  try {
    database = await databaseOpen({ DATABASE_URL: urlWith(query), DATABASE_SSL: setting, EMBEDDED_POSTGRES_DIR: '' }, silentLogger);
  } catch (error) {
    const message = (error as Error).message;
    if ((error as Error).name === 'DatabaseTlsConflictError') return { main: 'conflict', message };
    if (/self-signed certificate/.test(message)) return { main: 'untrusted', message };
    throw error;
  }
  const sslOf = async (query: (text: string) => Promise<pg.QueryResult<{ ssl: boolean }>>) =>
    (await query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows[0]?.ssl ? 'tls' : 'plain';
  try {
    const main = await sslOf((text) => database.pool.query(text));
    // /queues: the pg-boss dashboard connects from a URL alone.
    const client = new pg.Client({ connectionString: dashboardDatabaseUrl(database) });
    await client.connect();
    try {
      return { main, dashboard: await sslOf((text) => client.query(text)) };
    } finally {
      await client.end();
    }
  } finally {
    await database.close();
  }
}

const settings: (DatabaseSslSetting | undefined)[] = [undefined, 'auto', 'verify', 'off'];
// Rows: the URL's sslmode; columns: DATABASE_SSL unset, auto, verify, off. The host is localhost,
// so auto means no TLS; the certificate is self-signed, so verifying it fails.
const expected: Record<string, Outcome[]> = {
  '': ['plain', 'plain', 'untrusted', 'plain'],
  'sslmode=require': ['tls', 'tls', 'conflict', 'conflict'],
  'sslmode=verify-full': ['untrusted', 'untrusted', 'untrusted', 'conflict'],
  'sslmode=no-verify': ['tls', 'tls', 'conflict', 'conflict'],
  'sslmode=disable': ['plain', 'plain', 'conflict', 'plain'],
};

describe('TLS to a server with a self-signed certificate', () => {
  for (const [query, outcomes] of Object.entries(expected)) {
    it(`URL ${query || 'without sslmode'}: DATABASE_SSL unset, auto, verify, off`, async () => {
      const found = [];
      for (const setting of settings) found.push(await outcome(query, setting));
      expect(found.map((result) => result.main)).toEqual(outcomes);
      // Where the command connects, /queues connects the same way.
      for (const result of found) if (result.dashboard) expect(result.dashboard).toBe(result.main);
      for (const result of found) if (result.message) expect(result.message.split('\n')).toHaveLength(1);
    });
  }

  it('verifies the certificate against the URL sslrootcert names, as libpq does, and so does /queues', async () => {
    expect(await outcome(`sslmode=verify-full&sslrootcert=${encodeURIComponent(cert)}`, undefined)).toEqual({ main: 'tls', dashboard: 'tls' });
    expect(await outcome(`sslmode=require&sslrootcert=${encodeURIComponent(cert)}`, 'verify')).toEqual({ main: 'tls', dashboard: 'tls' });
  });

  it('names both settings when they disagree', async () => {
    const { message } = await outcome('sslmode=disable', 'verify');
    expect(message).toBe(
      "DATABASE_SSL=verify and DATABASE_URL's sslmode=disable disagree: remove sslmode from the URL, or DATABASE_SSL (the URL's sslmode then decides, as in libpq).",
    );
  });
});
