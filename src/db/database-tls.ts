/**
 * TLS to Postgres, decided once for every client (the pool, pg-boss, the dashboard's /queues):
 * the URL's `sslmode` means what libpq means, and DATABASE_SSL applies when the URL has none.
 *
 * - `disable`: no TLS. `require` and `no-verify`: TLS, certificate not checked (as Heroku Postgres
 *   needs; with `sslrootcert`, `require` checks it, as libpq does). `verify-full` and `verify-ca`:
 *   TLS, certificate checked against `sslrootcert` or the system's CAs, and the host name too
 *   (stricter than libpq's verify-ca, never weaker). `prefer`, `allow`: as DATABASE_SSL=auto.
 * - DATABASE_SSL, when the URL has no sslmode: `auto` (the default) is TLS without checks to any
 *   host but localhost, `verify` is verify-full, `off` is disable.
 * - Both given and disagreeing (DATABASE_SSL=off with sslmode=require, DATABASE_SSL=verify with
 *   sslmode=disable, …): the command stops in one line, rather than pick one silently.
 *
 * node-postgres reads the URL's TLS parameters itself and lets them override its `ssl` option
 * (and reads `require` as verify-full), so they are taken out of the URL every client is given.
 */
import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { ConnectSyncError } from '../errors.ts';

/** DATABASE_SSL's values. */
export type DatabaseSslSetting = 'auto' | 'verify' | 'off';

/** What the connection does. */
export type TlsMode = 'off' | 'no-verify' | 'verify';

/** The URL's sslmode and DATABASE_SSL ask for different things. */
export class DatabaseTlsConflictError extends ConnectSyncError { readonly code = 'DATABASE_TLS_CONFLICT'; }

/** The URL's TLS parameters, which node-postgres would otherwise read over the `ssl` option. */
const urlTlsParameters = ['sslmode', 'ssl', 'sslrootcert', 'sslcert', 'sslkey', 'uselibpqcompat'];

const localHosts = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

function autoMode(url: URL): TlsMode {
  return localHosts.has(url.hostname) ? 'off' : 'no-verify';
}

/** The mode a libpq sslmode asks for; undefined for one libpq does not know. */
function urlMode(sslmode: string, url: URL, rootCert: boolean): TlsMode | undefined {
  switch (sslmode) {
    case 'disable':
      return 'off';
    case 'allow':
    case 'prefer':
      return autoMode(url);
    case 'require':
      return rootCert ? 'verify' : 'no-verify';
    case 'no-verify':
      return 'no-verify';
    case 'verify-ca':
    case 'verify-full':
      return 'verify';
    default:
      return undefined;
  }
}

const settingMode: Record<Exclude<DatabaseSslSetting, 'auto'>, TlsMode> = { verify: 'verify', off: 'off' };

/** The connection's TLS: the URL without its TLS parameters, pg's `ssl` option, and the mode. */
export interface DatabaseTls {
  url: string;
  ssl: pg.ConnectionConfig['ssl'];
  mode: TlsMode;
  /** The CA file the URL named (`sslrootcert`), for a client that takes only a URL. */
  rootCertFile?: string;
}

/** Decides TLS for `connectionUrl` under `setting` (DATABASE_SSL; undefined when unset). */
export function databaseTls(connectionUrl: string, setting: DatabaseSslSetting | undefined): DatabaseTls {
  const url = new URL(connectionUrl);
  const sslmode = url.searchParams.get('sslmode') ?? undefined;
  const rootCertFile = url.searchParams.get('sslrootcert') ?? undefined;
  for (const parameter of urlTlsParameters) url.searchParams.delete(parameter);
  let mode: TlsMode;
  if (sslmode !== undefined) {
    const asked = urlMode(sslmode, url, rootCertFile !== undefined);
    if (!asked) {
      throw new DatabaseTlsConflictError(`DATABASE_URL's sslmode=${sslmode} is not one of disable, allow, prefer, require, no-verify, verify-ca, verify-full.`);
    }
    if (setting !== undefined && setting !== 'auto' && settingMode[setting] !== asked) {
      throw new DatabaseTlsConflictError(
        `DATABASE_SSL=${setting} and DATABASE_URL's sslmode=${sslmode} disagree: remove sslmode from the URL, or DATABASE_SSL (the URL's sslmode then decides, as in libpq).`,
      );
    }
    mode = asked;
  } else {
    mode = setting === undefined || setting === 'auto' ? autoMode(url) : settingMode[setting];
  }
  const ca = mode === 'verify' && rootCertFile ? readFileSync(rootCertFile, 'utf8') : undefined;
  const ssl: pg.ConnectionConfig['ssl'] = mode === 'off' ? false : mode === 'no-verify' ? { rejectUnauthorized: false } : { rejectUnauthorized: true, ...(ca ? { ca } : {}) };
  return { url: url.toString(), ssl, mode, ...(ca && rootCertFile ? { rootCertFile } : {}) };
}
