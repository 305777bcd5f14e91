/**
 * connect-sync's own schema as numbered SQL migrations (migrations/connect-sync/NNNN_name.sql),
 * with a table recording which have run. Pending ones run in order, in one transaction, under an
 * advisory lock, so two release steps at once are safe: the second waits, then finds nothing to
 * do. A database migrated by a newer release (a migration this one does not know) is refused.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type pg from 'pg';
import { identifierQuote, qualifiedName, syncSchema } from '../db/sql-names.ts';
import { ConnectSyncError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { bossNotifyChannel } from '../queue/boss-contract.ts';
import { bossSchema } from '../queue/queues.ts';

/** One migration file. */
export interface SchemaMigration {
  id: number;
  name: string;
  sql: string;
}

/** Where the files are: two folders up from src/schema/ and from dist/schema/. */
export const schemaMigrationsFolder = new URL('../../migrations/connect-sync/', import.meta.url);

/** The table recording which migrations ran. */
export const schemaMigrationTable = 'schema_migration';

/** Any value in '…' (Postgres's standard string literal). */
function literalQuote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** What a migration's `:NAME` placeholders stand for: identifiers and literals, quoted. */
export function schemaPlaceholders(): Record<string, string> {
  return {
    CONNECT_SYNC_SCHEMA: identifierQuote(syncSchema),
    PGBOSS_SCHEMA: identifierQuote(bossSchema),
    PGBOSS_NOTIFY_CHANNEL: literalQuote(bossNotifyChannel(bossSchema)),
  };
}

/** `text` with its placeholders filled in; a placeholder not known is an error, not left raw. */
export function migrationTemplate(text: string, placeholders = schemaPlaceholders()): string {
  // `(?<!:)` keeps casts (`::text`) out; placeholders are upper case, casts are not.
  return text.replace(/(?<![:\w]):([A-Z][A-Z0-9_]*)\b/g, (whole, name: string) => {
    const value = placeholders[name];
    if (value === undefined) throw new Error(`Migration placeholder ${whole} is unknown; expected one of ${Object.keys(placeholders).join(', ')}`);
    return value;
  });
}

/** The migrations in `folder`, in order; their numbers must run 1, 2, 3… without a gap. */
export function schemaMigrationsRead(folder: URL = schemaMigrationsFolder): SchemaMigration[] {
  const migrations = readdirSync(folder)
    .filter((file) => file.endsWith('.sql'))
    .map((file) => {
      const match = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
      if (!match) throw new Error(`Migration file ${file} is not named NNNN_name.sql (e.g. 0003_job_insert.sql)`);
      return { id: Number(match[1]), name: match[2]!, sql: readFileSync(new URL(file, folder), 'utf8') };
    })
    .sort((a, b) => a.id - b.id);
  migrations.forEach((migration, index) => {
    if (migration.id !== index + 1) throw new Error(`Migration ${String(index + 1).padStart(4, '0')} is missing before ${migration.id}_${migration.name}.sql`);
  });
  return migrations;
}

/** A database whose schema a newer connect-sync migrated. */
export class SchemaNewerError extends ConnectSyncError { readonly code = 'SCHEMA_NEWER'; }

/**
 * Runs the migrations not yet run, in order, in one transaction holding an advisory lock;
 * returns the ids it ran (none when the schema is up to date).
 */
/** A migration the database refused; its transaction rolled back, so the schema stays at the last one that ran. */
export class SchemaMigrationFailedError extends ConnectSyncError { readonly code = 'SCHEMA_MIGRATION_FAILED'; }

export async function schemaMigrate(pool: pg.Pool, log: Logger, migrations: readonly SchemaMigration[] = schemaMigrationsRead()): Promise<number[]> {
  const table = qualifiedName(syncSchema, schemaMigrationTable);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${syncSchema} schema migrations`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${identifierQuote(syncSchema)}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${table} (
      id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ id: number; name: string }>(`SELECT id, name FROM ${table} ORDER BY id`);
    const known = new Set(migrations.map((migration) => migration.id));
    const unknown = rows.filter((row) => !known.has(row.id));
    if (unknown.length > 0) {
      throw new SchemaNewerError(
        `The database's ${syncSchema} schema was migrated by a newer connect-sync (migration ${unknown.map((row) => `${row.id} ${row.name}`).join(', ')} is unknown here): run that release or a newer one.`,
      );
    }
    const ran = new Set(rows.map((row) => row.id));
    const applied: number[] = [];
    for (const migration of migrations) {
      if (ran.has(migration.id)) continue;
      await client.query(migrationTemplate(migration.sql)).catch((error: Error) => {
        throw new SchemaMigrationFailedError(`${syncSchema} migration ${String(migration.id).padStart(4, '0')}_${migration.name} failed: ${error.message}`, { cause: error });
      });
      await client.query(`INSERT INTO ${table} (id, name) VALUES ($1, $2)`, [migration.id, migration.name]);
      applied.push(migration.id);
    }
    await client.query('COMMIT');
    if (applied.length > 0) log.info({ applied: applied.map((id) => migrations.find((m) => m.id === id)!.name) }, `${syncSchema} schema migrated`);
    return applied;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
