/**
 * One quoting rule: every identifier in src/ goes through src/db/sql-names.ts, so a change to the
 * rule (or a fault in it) is made in one place. Drizzle's `sql.identifier` quotes by its own rule;
 * a call to it outside sql-names.ts is a second rule, and fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const drizzleQuoting = /\bsql\.identifier\b/;

function sourceFiles(): string[] {
  return readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => relative(root, join(root, 'src', name)).split('\\').join('/'));
}

function callsDrizzleQuoting(file: string): boolean {
  return drizzleQuoting.test(readFileSync(join(root, file), 'utf8'));
}

describe('one quoting rule', () => {
  it('no file in src/ quotes through sql.identifier but sql-names.ts', () => {
    const offenders = sourceFiles().filter((file) => file !== 'src/db/sql-names.ts' && callsDrizzleQuoting(file));
    expect(offenders, 'use sqlIdentifier / syncTable / qualifiedName from src/db/sql-names.ts').toEqual([]);
  });
});
