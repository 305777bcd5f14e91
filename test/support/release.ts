/**
 * An earlier release of connect-sync as users installed it: the commit's tree from git, packed
 * with npm pack (which runs its build) and unpacked, once per machine into a folder under the
 * system's temporary folder, reused by later runs. It resolves its dependencies (pg, pg-boss,
 * drizzle) from this checkout's node_modules, as a host app's single copy would serve both.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));

/** The unpacked package folder of the release at `commit` (its dist/, bin/, migrations/). */
export function releasePackage(commit: string): string {
  const folder = join(tmpdir(), `connect-sync-release-${commit}`);
  const unpacked = join(folder, 'package');
  if (existsSync(join(unpacked, 'dist', 'index.js'))) return unpacked;
  const work = mkdtempSync(join(tmpdir(), `connect-sync-release-${commit}-`));
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
    if (!existsSync(join(unpacked, 'dist', 'index.js'))) throw new Error(`could not place the packed release ${commit} at ${folder}`);
  }
  return unpacked;
}
