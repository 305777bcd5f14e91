/**
 * What every command runs inside: settings validated once, a logger, the database, and one
 * place that turns a failure into a single line and a non-zero exit code.
 */
import { ConfigError, loadSettings, type Settings } from './config.ts';
import { databaseOpen, type Database } from './db/database.ts';
import { createLogger, type Logger } from './log.ts';

export interface CommandContext {
  settings: Settings;
  log: Logger;
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

/** Runs `command` with an open database, closing it afterwards whatever happens. */
export async function commandRun(command: (context: CommandContext) => Promise<void>): Promise<void> {
  const { settings, log } = commandSetup();
  let database: Database | undefined;
  try {
    database = await databaseOpen(settings, log);
    log.debug({ database: database.description }, 'database open');
    await command({ settings, log, database });
  } catch (error) {
    await database?.close().catch(() => undefined);
    exitWith(error, log);
  }
  await database.close();
}

function exitWith(error: unknown, log?: Logger): never {
  if (error instanceof ConfigError || !log) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
  // One line a person can act on; the stack is there for whoever asks with LOG_LEVEL=debug.
  const failure = error instanceof Error ? error : new Error(String(error));
  log.error({ error: failure.name }, failure.message);
  log.debug({ err: failure }, 'stack of the error above');
  process.exit(1);
}
