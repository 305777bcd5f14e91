/**
 * Installs the Connect stand-in into a development or test database, after `migrate --mirror`:
 * Connect's tables and triggers in the `salesforce` schema, on every declared mirror table, and
 * the simulated org's schema. Refuses a schema a real Heroku Connect already owns. Idempotent.
 */
import pg from 'pg';
import type { Database } from '../db/database.ts';
import { poolTransaction } from '../db/pool-transaction.ts';
import type { Logger } from '../log.ts';
import type { MirrorObjectSet } from '../mirror/object-set.ts';
import { orgSchemaSql } from './org-records.ts';
import { connectSimMarker, connectTableNames, connectTablesSql, mirrorSchemaName, tableTriggersSql, triggerFunctionsSql } from './trigger-functions.ts';
import { ConnectSyncError } from '../errors.ts';

/** The stand-in was asked to install where it must not. */
export class ConnectSimInstallRefusedError extends ConnectSyncError { readonly code = 'CONNECT_SIM_INSTALL_REFUSED'; }

// Any number will do, as long as two installers never run at once.
const installLockKey = 0x636f6e6e;

/** Adds what Heroku Connect adds to the mirror schema, and the simulated org. */
export async function connectSimInstall(database: Pick<Database, 'pool'>, objects: MirrorObjectSet, log: Logger): Promise<void> {
  await poolTransaction(database.pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [installLockKey]);
    await connectSchemaCheck(client);
    await client.query(connectTablesSql());
    await client.query(
      `INSERT INTO ${pg.escapeIdentifier(mirrorSchemaName)}._hcmeta (hcver, org_id, details)
       SELECT $1::integer, $2::varchar, $3::text WHERE NOT EXISTS (SELECT 1 FROM ${pg.escapeIdentifier(mirrorSchemaName)}._hcmeta WHERE org_id = $2::varchar)`,
      [1, 'connect-sim', connectSimMarker],
    );
    await client.query(triggerFunctionsSql());
    for (const object of objects.objects) await client.query(tableTriggersSql(object.tableName));
    await client.query(orgSchemaSql());
  });
  log.info({ tables: objects.objects.map((object) => object.tableName) }, 'Connect stand-in installed');
}

/** True when the stand-in is installed in this database. */
export async function connectSimInstalled(database: Pick<Database, 'pool'>): Promise<boolean> {
  const { rows } = await database.pool.query<{ comment: string | null }>(
    `SELECT obj_description(to_regclass($1), 'pg_class') AS comment`,
    [`${mirrorSchemaName}._trigger_log`],
  );
  return rows[0]?.comment === connectSimMarker;
}

async function connectSchemaCheck(client: pg.ClientBase): Promise<void> {
  const { rows: schema } = await client.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [mirrorSchemaName]);
  if (schema.length === 0) {
    throw new ConnectSimInstallRefusedError(`There is no ${mirrorSchemaName} schema: run connect-sync migrate --mirror first.`);
  }
  const { rows } = await client.query<{ relname: string; comment: string | null }>(
    `SELECT c.relname, obj_description(c.oid, 'pg_class') AS comment
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = ANY($2::text[])`,
    [mirrorSchemaName, connectTableNames],
  );
  const foreign = rows.filter((row) => row.comment !== connectSimMarker).map((row) => row.relname);
  if (foreign.length > 0) {
    throw new ConnectSimInstallRefusedError(
      `${mirrorSchemaName}.${foreign.join(`, ${mirrorSchemaName}.`)} exists and was not made by the Connect stand-in: a real Heroku Connect owns this schema, so nothing was installed.`,
    );
  }
}
