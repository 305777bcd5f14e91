// Every bare import in the installed package's dist/ must name a package its production install
// brings (dependencies, peerDependencies, optionalDependencies) or a Node builtin: a devDependency
// imported at runtime only fails once that code path runs in production. Usage: node package-imports.mjs <package dir>
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';

const root = process.argv[2];
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const allowed = new Set([
  ...Object.keys(manifest.dependencies ?? {}),
  ...Object.keys(manifest.peerDependencies ?? {}),
  ...Object.keys(manifest.optionalDependencies ?? {}),
]);
const builtins = new Set(builtinModules);
const wrong = [];
const files = readdirSync(join(root, 'dist'), { recursive: true }).filter((file) => String(file).endsWith('.js'));
for (const file of files) {
  const source = readFileSync(join(root, 'dist', String(file)), 'utf8');
  for (const [, specifier] of source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g)) {
    if (specifier.startsWith('.') || specifier.startsWith('node:') || builtins.has(specifier)) continue;
    const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
    if (!allowed.has(name)) wrong.push(`dist/${file} imports ${specifier}`);
  }
}
if (wrong.length > 0) {
  console.error(`imports of packages a production install lacks:\n${wrong.join('\n')}`);
  process.exit(1);
}
console.log(`${files.length} files import only dependencies, peers, optional dependencies and builtins`);
