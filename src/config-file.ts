/**
 * Finding a host's declarations the way drizzle-kit finds its config: `--config <file>` (or
 * CONNECT_SYNC_CONFIG), else `connect-sync.config.ts`, `.mjs` or `.js` in the working folder.
 * The file's default export is a `defineConfig({ objects, ... })`. With no file at all the
 * caller's fallback applies (the CLI's: the editor preset).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { syncConfigResolve, type ConnectSyncConfig, type SyncConfig } from './sync-config.ts';

/** The names looked for in the working folder, in this order. */
export const configFileNames = ['connect-sync.config.ts', 'connect-sync.config.mjs', 'connect-sync.config.js'] as const;

/** A config file that is missing, or whose export is not a config. */
export class ConfigFileError extends Error {
  override name = 'ConfigFileError';
}

/** Where the config comes from, and the resolved config. */
export interface LoadedConfig {
  config: SyncConfig;
  /** The file's path, or `fallback`. */
  source: string;
}

/** Loads the config `path` names, or the first config file in `cwd`, or the fallback. */
export async function syncConfigLoad(options: {
  path?: string | undefined;
  cwd?: string;
  fallback: () => Promise<ConnectSyncConfig>;
}): Promise<LoadedConfig> {
  const cwd = options.cwd ?? process.cwd();
  const file = options.path ? resolve(cwd, options.path) : configFileNames.map((name) => resolve(cwd, name)).find((candidate) => existsSync(candidate));
  if (options.path && !existsSync(file!)) {
    throw new ConfigFileError(`Config file ${options.path} not found (looked at ${file}).`);
  }
  if (!file) return { config: syncConfigResolve(await options.fallback()), source: 'fallback' };
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
    return { config: syncConfigResolve(exported as ConnectSyncConfig), source: file };
  } catch (error) {
    throw new ConfigFileError(`Config file ${file}: ${(error as Error).message}`, { cause: error });
  }
}
