/**
 * The check every command that works on the queue makes before it starts: the queue schema, every
 * declared queue and the app's tables the objects read must already be there. Run in the wrong
 * order (before `migrate`, or before the app's own migrations), a command would otherwise fail
 * with a bare `relation … does not exist` or pg-boss's `Queue … does not exist`, or loop on them;
 * an operator needs one line naming what is missing and what creates it.
 */
import type { Database } from '../db/database.ts';
import { qualifiedName, tableQuoted } from '../db/sql-names.ts';
import { sourceTables } from '../mirror/define.ts';
import { ConnectSyncError } from '../errors.ts';
import { bossSchema, queueDefinitions } from '../queue/queues.ts';
import type { SyncConfig } from '../sync-config.ts';

/** The database lacks what `migrate` (or the app's own migrations) creates. */
export class NotMigratedError extends ConnectSyncError { readonly code = 'NOT_MIGRATED'; }

const listed = (names: readonly string[]) => names.slice(0, 3).join(', ') + (names.length > 3 ? ` and ${names.length - 3} more` : '');

/** The app tables the declared objects read (their source tables and joins), schema-qualified. */
export function appTablesRead(config: Pick<SyncConfig, 'objects'>): string[] {
  return [...new Set(config.objects.objects.flatMap((object) => sourceTables(object.source).map(tableQuoted)))];
}

/** The app tables that do not exist yet (`schema.table`, unquoted for messages). */
export async function appTablesMissing(database: Pick<Database, 'pool'>, config: Pick<SyncConfig, 'objects'>): Promise<string[]> {
  const tables = appTablesRead(config);
  const { rows } = await database.pool.query<{ missing: string[] | null }>(
    'SELECT array_agg(t ORDER BY t) FILTER (WHERE to_regclass(t) IS NULL) AS missing FROM unnest($1::text[]) t',
    [tables],
  );
  return (rows[0]?.missing ?? []).map((name) => name.replaceAll('"', ''));
}

/** The one line for app tables that are missing: what they are, and what creates them. */
export function appTablesMissingMessage(database: Pick<Database, 'description'>, missing: readonly string[], config: Pick<SyncConfig, 'appMigrations'>): string {
  const fix = config.appMigrations
    ? `the config's appMigrations (${config.appMigrations.folder}) do not create them: add their migration, then run \`connect-sync migrate\``
    : "run the app's own migrations first (or name them in the config's appMigrations, which `connect-sync migrate` runs)";
  return `The database ${database.description} has no table ${listed(missing)}, which the declared objects read: ${fix}.`;
}

/** Throws NotMigratedError, in one line naming what is missing and the fix, unless all is in place. */
export async function migratedCheck(database: Pick<Database, 'pool' | 'description'>, config: Pick<SyncConfig, 'objects' | 'appMigrations'>): Promise<void> {
  const names = queueDefinitions(config.objects).map((queue) => queue.name);
  const table = qualifiedName(bossSchema, 'queue');
  const { rows } = await database.pool.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [table]);
  if (!rows[0]?.present) {
    throw new NotMigratedError(`The database ${database.description} has no queue schema (${bossSchema}): run \`connect-sync migrate\` first.`);
  }
  const found = await database.pool.query<{ name: string }>(`SELECT name FROM ${table} WHERE name = ANY($1::text[])`, [names]);
  const present = new Set(found.rows.map((row) => row.name));
  const missing = names.filter((name) => !present.has(name));
  if (missing.length > 0) {
    throw new NotMigratedError(`The database ${database.description} lacks the queues ${listed(missing)}: run \`connect-sync migrate\` first.`);
  }
  const tables = await appTablesMissing(database, config);
  if (tables.length > 0) throw new NotMigratedError(appTablesMissingMessage(database, tables, config));
}
