/**
 * What every command runs inside: settings validated once, a logger, the host's declarations,
 * the database, and one place that turns a failure into a single line and a non-zero exit code.
 */
import { ConfigError, loadSettings, type Settings } from './config.ts';
import { ConfigFileError, type LoadedConfig } from './config-file.ts';
import { DatabaseTlsConflictError } from './db/database-tls.ts';
import { databaseOpen, DatabaseUrlMissingError, EmbeddedPostgresMissingError, type Database, type DatabaseOpenOptions } from './db/database.ts';
import { createLogger, type Logger } from './log.ts';
import { MirrorObjectSetError, MirrorObjectUnknownError } from './mirror/object-set.ts';
import type { SyncConfig } from './sync-config.ts';

export interface CommandContext {
  settings: Settings;
  log: Logger;
  /** The declared objects (the config file's, or the editor preset's). */
  config: SyncConfig;
  database: Database;
}

/** Settings and logger only, for commands that need no database. */
export function commandSetup(): { settings: Settings; log: Logger } {
  try {
    const settings = loadSettings();
    return { settings, log: createLogger(settings) };
  } catch (error) {
    exitWith(error);
  }
}

/**
 * Runs `command` with the config and an open database, closing it afterwards whatever happens.
 * `check` runs first, before any connection is opened (a name the config does not declare).
 */
export async function commandRun(
  loadConfig: () => Promise<LoadedConfig>,
  command: (context: CommandContext) => Promise<void>,
  check?: (config: SyncConfig) => void,
  open: Pick<DatabaseOpenOptions, 'verify' | 'role'> & {
    embeddedByDefault?: boolean;
    /** Stop, in one line naming the fix, unless `migrate` (and the app's migrations) ran. */
    migrated?: boolean;
  } = {},
): Promise<void> {
  const { settings, log } = commandSetup();
  let database: Database | undefined;
  try {
    const { config, source } = await loadConfig();
    check?.(config);
    database = await databaseOpen(settings, log, { ...open, maxConnections: settings.DATABASE_MAX_CONNECTIONS });
    log.debug({ database: database.description, config: source }, 'database open');
    if (open.migrated) await (await import('./schema/migrated-check.ts')).migratedCheck(database, config);
    await command({ settings, log, config, database });
  } catch (error) {
    await database?.close().catch(() => undefined);
    exitWith(error, log);
  }
  await database.close();
}

/** Errors a person fixes in their input or setup: the message alone says it all. */
const usageErrors = [ConfigError, ConfigFileError, MirrorObjectSetError, MirrorObjectUnknownError, DatabaseUrlMissingError, EmbeddedPostgresMissingError, DatabaseTlsConflictError];

function exitWith(error: unknown, log?: Logger): never {
  if (!log || usageErrors.some((type) => error instanceof type)) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
  // One line a person can act on; the stack is there for whoever asks with LOG_LEVEL=debug.
  const failure = error instanceof Error ? error : new Error(String(error));
  log.error({ error: failure.name }, failure.message);
  log.debug({ err: failure }, 'stack of the error above');
  process.exit(1);
}
