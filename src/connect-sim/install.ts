/**
 * Installs the Connect stand-in into a development or test database, after `migrate --mirror`:
 * Connect's tables and triggers in the mirror schema, on every declared mirror table, and the
 * simulated org's schema. Refuses a schema a real Heroku Connect already owns. Idempotent.
 */
import type pg from 'pg';
import type { Database } from '../db/database.ts';
import { poolTransaction } from '../db/pool-transaction.ts';
import { qualifiedName } from '../db/sql-names.ts';
import type { Logger } from '../log.ts';
import type { MirrorObjectSet } from '../mirror/object-set.ts';
import { orgSchemaSql } from './org-records.ts';
import { connectSimMarker, connectTableNames, connectTablesSql, tableTriggersSql, triggerFunctionsSql } from './trigger-functions.ts';
import { ConnectSyncError } from '../errors.ts';

/** The stand-in was asked to install where it must not. */
export class ConnectSimInstallRefusedError extends ConnectSyncError { readonly code = 'CONNECT_SIM_INSTALL_REFUSED'; }

// Any number will do, as long as two installers never run at once.
const installLockKey = 0x636f6e6e;

/** Adds what Heroku Connect adds to the mirror schema, and the simulated org. */
export async function connectSimInstall(database: Pick<Database, 'pool'>, objects: MirrorObjectSet, log: Logger): Promise<void> {
  await poolTransaction(database.pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [installLockKey]);
    const { mirrorSchema } = objects;
    await connectSchemaCheck(client, mirrorSchema);
    await client.query(connectTablesSql(mirrorSchema));
    const meta = qualifiedName(mirrorSchema, '_hcmeta');
    await client.query(
      `INSERT INTO ${meta} (hcver, org_id, details)
       SELECT $1::integer, $2::varchar, $3::text WHERE NOT EXISTS (SELECT 1 FROM ${meta} WHERE org_id = $2::varchar)`,
      [1, 'connect-sim', connectSimMarker],
    );
    await client.query(triggerFunctionsSql(mirrorSchema));
    for (const object of objects.objects) await client.query(tableTriggersSql(object));
    await client.query(orgSchemaSql());
  });
  log.info({ tables: objects.objects.map((object) => object.tableName) }, 'Connect stand-in installed');
}

/** True when the stand-in is installed in this database, in the mirror schema of `objects`. */
export async function connectSimInstalled(database: Pick<Database, 'pool'>, objects: MirrorObjectSet): Promise<boolean> {
  const { rows } = await database.pool.query<{ comment: string | null }>(
    `SELECT obj_description(to_regclass($1), 'pg_class') AS comment`,
    [qualifiedName(objects.mirrorSchema, '_trigger_log')],
  );
  return rows[0]?.comment === connectSimMarker;
}

async function connectSchemaCheck(client: pg.ClientBase, mirrorSchema: string): Promise<void> {
  const { rows: schema } = await client.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [mirrorSchema]);
  if (schema.length === 0) {
    throw new ConnectSimInstallRefusedError(`There is no ${mirrorSchema} schema: run connect-sync migrate --mirror first.`);
  }
  const { rows } = await client.query<{ relname: string; comment: string | null }>(
    `SELECT c.relname, obj_description(c.oid, 'pg_class') AS comment
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = ANY($2::text[])`,
    [mirrorSchema, connectTableNames],
  );
  const foreign = rows.filter((row) => row.comment !== connectSimMarker).map((row) => row.relname);
  if (foreign.length > 0) {
    throw new ConnectSimInstallRefusedError(
      `${mirrorSchema}.${foreign.join(`, ${mirrorSchema}.`)} exists and was not made by the Connect stand-in: a real Heroku Connect owns this schema, so nothing was installed.`,
    );
  }
}
