/**
 * What a host app tells connect-sync about itself: the Salesforce objects it syncs (declared
 * against its own Drizzle tables), and optionally its own migrations and extra doctor checks.
 * The CLI reads it from `connect-sync.config.ts` (or `.js`, `.mjs`) as drizzle-kit reads its
 * config; `connectSync()` takes it in code. Every part reads the same resolved value.
 */
import type { DoctorCheck } from './ops/doctor-check.ts';
import { mirrorObjectSet, type AnyMirrorObject, type MirrorObjectSet } from './mirror/object-set.ts';

/** A host app's configuration, as written in its config file. */
export interface ConnectSyncConfig {
  /** The Salesforce objects to sync, each from `defineMirrorObject`. Order does not matter. */
  objects: readonly AnyMirrorObject[];
  /**
   * The app's own drizzle-kit migrations, for `connect-sync migrate` to run before the queue's
   * (`table` names their journal in schema `connect_sync`); a relative folder is read from the
   * config file's folder. Most hosts run their own and leave this out: connect-sync creates no
   * tables of an app but these.
   */
  appMigrations?: { folder: string; table?: string };
  /** Checks the doctor runs on top of its own, per object (the editor preset classifies schools). */
  doctorChecks?: readonly DoctorCheck[];
}

/** The configuration with its objects resolved into a set. */
export interface SyncConfig {
  objects: MirrorObjectSet;
  appMigrations?: { folder: string; table: string };
  doctorChecks: readonly DoctorCheck[];
}

/** Types a config file's default export, as `defineConfig` does for drizzle-kit. */
export function defineConfig(config: ConnectSyncConfig): ConnectSyncConfig {
  return config;
}

/** Resolves a config; a lookup without a declared parent, or a bad field, throws naming it. */
export function syncConfigResolve(config: ConnectSyncConfig | SyncConfig): SyncConfig {
  if (isResolved(config)) return config;
  if (!config || !Array.isArray(config.objects)) {
    throw new TypeError('A connect-sync config needs `objects`: an array of defineMirrorObject(...) declarations.');
  }
  const appMigrations = config.appMigrations ? { folder: config.appMigrations.folder, table: config.appMigrations.table ?? 'app_migrations' } : undefined;
  return { objects: mirrorObjectSet(config.objects), ...(appMigrations ? { appMigrations } : {}), doctorChecks: config.doctorChecks ?? [] };
}

function isResolved(config: ConnectSyncConfig | SyncConfig): config is SyncConfig {
  return typeof (config as SyncConfig).objects?.parentLookups === 'function';
}
