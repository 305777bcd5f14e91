/**
 * The package's entries export exactly what docs/host-apps.md lists for them: a name added or
 * dropped in the code without the list (or the other way round) fails here. Type-only exports are
 * read off the entry's source, since they leave nothing at run time.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const listing = readFileSync(new URL('../docs/host-apps.md', import.meta.url), 'utf8');
const entries = { 'connect-sync': 'index', 'connect-sync/testing': 'testing', 'connect-sync/advanced': 'advanced' } as const;

/** The backticked names on the `Values:` or `Types:` paragraph under the entry's heading. */
function listed(entry: string, kind: 'Values' | 'Types'): string[] {
  const section = listing.split(/^### /m).find((part) => part.startsWith(`\`${entry}\``));
  if (!section) throw new Error(`docs/host-apps.md has no section for ${entry}`);
  const paragraph = section.split(/\n\n/).find((part) => part.startsWith(`${kind}:`)) ?? '';
  return [...paragraph.matchAll(/`([A-Za-z]+)`/g)].map((match) => match[1]!).sort();
}

/** The names an entry's source exports as types only (`type X` inside braces, or `export type { … }`). */
function typeExports(source: string): string[] {
  const names: string[] = [];
  for (const [, typeOnly, body] of source.matchAll(/export (type )?\{([^}]*)\}/g)) {
    for (const item of body!.split(',').map((part) => part.trim()).filter(Boolean)) {
      if (typeOnly) names.push(item);
      else if (item.startsWith('type ')) names.push(item.slice(5));
    }
  }
  return names.sort();
}

describe('the package entries', () => {
  for (const [entry, file] of Object.entries(entries)) {
    it(`${entry} exports the values and types docs/host-apps.md lists`, async () => {
      const module = (await import(`../src/${file}.ts`)) as Record<string, unknown>;
      expect(Object.keys(module).sort()).toEqual(listed(entry, 'Values'));
      const source = readFileSync(new URL(`../src/${file}.ts`, import.meta.url), 'utf8');
      expect(typeExports(source)).toEqual(listed(entry, 'Types'));
    });
  }
});
