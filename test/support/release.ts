/**
 * An earlier release of connect-sync as users installed it: the commit's tree from git, packed
 * with npm pack (which runs its build) and unpacked, once per checkout into a folder under the
 * system's temporary folder, reused by its later runs. It resolves its dependencies (pg, pg-boss,
 * drizzle) from this checkout's node_modules, as a host app's single copy would serve both.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));

/** The unpacked package folder of the release at `commit` (its dist/, bin/, migrations/). */
export function releasePackage(commit: string): string {
  // One folder per commit and checkout: its node_modules link names this checkout's, which may be
  // gone by another run (a removed clone leaves a dangling link, then the folder is packed again).
  const checkout = createHash('sha256').update(repo).digest('hex').slice(0, 12);
  const folder = join(tmpdir(), `connect-sync-release-${commit}-${checkout}`);
  const unpacked = join(folder, 'package');
  const complete = () => existsSync(join(unpacked, 'dist', 'index.js')) && existsSync(join(unpacked, 'node_modules', 'drizzle-orm'));
  if (complete()) return unpacked;
  if (existsSync(folder)) rmSync(folder, { recursive: true, force: true });
  const work = mkdtempSync(join(tmpdir(), `connect-sync-release-${commit}-${checkout}-`));
  const tree = join(work, 'tree');
  mkdirSync(tree);
  execFileSync('sh', ['-c', `git -C "${repo}" archive "${commit}" | tar -x -C "${tree}"`], { stdio: 'pipe' });
  symlinkSync(join(repo, 'node_modules'), join(tree, 'node_modules'));
  execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: tree, stdio: 'pipe' });
  const tarball = readdirSync(work).find((file) => file.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack of ${commit} made no tarball in ${work}`);
  execFileSync('tar', ['-xzf', join(work, tarball), '-C', work]);
  symlinkSync(join(repo, 'node_modules'), join(work, 'package', 'node_modules'));
  rmSync(tree, { recursive: true, force: true });
  try {
    // Atomic: a run packing at the same time finds one complete folder or none.
    renameSync(work, folder);
  } catch {
    rmSync(work, { recursive: true, force: true });
    if (!complete()) throw new Error(`could not place the packed release ${commit} at ${folder}`);
  }
  return unpacked;
}
