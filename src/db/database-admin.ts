/** Creating and dropping whole databases on a server: the embedded default, test files, the demo. */
import pg from 'pg';
import { identifierQuote } from './sql-names.ts';

/** `url` pointing at database `name` on the same server, with the same credentials. */
export function databaseUrlFor(url: string, name: string): string {
  const next = new URL(url);
  next.pathname = `/${name}`;
  return next.toString();
}

/** Runs one administrative statement (CREATE/DROP DATABASE cannot run in a transaction or pool). */
async function adminStatement(url: string, ssl: pg.ConnectionConfig['ssl'], statement: string, values?: unknown[]) {
  const client = new pg.Client({ connectionString: url, ssl });
  await client.connect();
  try {
    return await client.query(statement, values);
  } finally {
    await client.end();
  }
}

/** Creates database `name` on the server `url` names, unless it exists. */
export async function databaseEnsure(url: string, name: string, ssl: pg.ConnectionConfig['ssl'] = false): Promise<void> {
  const found = await adminStatement(url, ssl, 'SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (found.rowCount === 0) await adminStatement(url, ssl, `CREATE DATABASE ${identifierQuote(name)}`);
}

/** Drops database `name` (closing its connections) if it exists. */
export async function databaseDrop(url: string, name: string, ssl: pg.ConnectionConfig['ssl'] = false): Promise<void> {
  await adminStatement(url, ssl, `DROP DATABASE IF EXISTS ${identifierQuote(name)} WITH (FORCE)`);
}

/** Creates database `name` afresh, from `template` when given. */
export async function databaseRecreate(
  url: string,
  name: string,
  options: { template?: string; ssl?: pg.ConnectionConfig['ssl'] } = {},
): Promise<void> {
  await databaseDrop(url, name, options.ssl);
  const template = options.template ? ` TEMPLATE ${identifierQuote(options.template)}` : '';
  await adminStatement(url, options.ssl ?? false, `CREATE DATABASE ${identifierQuote(name)}${template}`);
}
