/**
 * Finding a host's declarations the way drizzle-kit finds its config: `--config <file>` (or
 * CONNECT_SYNC_CONFIG), else `connect-sync.config.ts`, `.mjs` or `.js` in the working folder.
 * The file's default export is a `defineConfig({ objects, ... })`. There is no default set of
 * objects: without a file every command stops, saying where it looked, so a host's database never
 * gets another app's tables and queues by accident.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { syncConfigResolve, type ConnectSyncConfig, type SyncConfig } from './sync-config.ts';
import { ConnectSyncError } from './errors.ts';

/** The names looked for in the working folder, in this order. */
export const configFileNames = ['connect-sync.config.ts', 'connect-sync.config.mjs', 'connect-sync.config.js'] as const;

/** A config file that is missing, or whose export is not a config. */
export class ConfigFileError extends ConnectSyncError { readonly code = 'CONFIG_FILE_INVALID'; }

/** Where the config comes from, and the resolved config. */
export interface LoadedConfig {
  config: SyncConfig;
  /** The file's path. */
  source: string;
}

/** Loads the config `path` names, or the first config file in `cwd`; throws ConfigFileError when there is none. */
export async function syncConfigLoad(options: { path?: string | undefined; cwd?: string }): Promise<LoadedConfig> {
  const cwd = options.cwd ?? process.cwd();
  const file = options.path ? resolve(cwd, options.path) : configFileNames.map((name) => resolve(cwd, name)).find((candidate) => existsSync(candidate));
  if (options.path && !existsSync(file!)) {
    throw new ConfigFileError(`Config file ${options.path} not found (looked at ${file}).`);
  }
  if (!file) {
    throw new ConfigFileError(
      `No connect-sync config: give --config <file> or CONNECT_SYNC_CONFIG, or put ${configFileNames.join(', ')} in ${cwd} (none is there).`,
    );
  }
  let loaded: { default?: unknown; config?: unknown };
  try {
    loaded = (await import(pathToFileURL(file).href)) as typeof loaded;
  } catch (error) {
    throw new ConfigFileError(`Config file ${file} could not be loaded: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
  const exported = loaded.default ?? loaded.config;
  if (!exported || typeof exported !== 'object') {
    throw new ConfigFileError(`Config file ${file} must export default defineConfig({ objects: [...] }).`);
  }
  try {
    const declared = exported as ConnectSyncConfig;
    // A relative migrations folder is the file's neighbour, wherever the command runs from.
    const folder = declared.appMigrations?.folder;
    const appMigrations = folder && !isAbsolute(folder) ? { ...declared.appMigrations, folder: resolve(dirname(file), folder) } : declared.appMigrations;
    return { config: syncConfigResolve({ ...declared, ...(appMigrations ? { appMigrations } : {}) }), source: file };
  } catch (error) {
    throw new ConfigFileError(`Config file ${file}: ${(error as Error).message}`, { cause: error });
  }
}
