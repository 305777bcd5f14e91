/**
 * What a migrated database's schema is, as one comparable value: every queue's settings, the
 * views, the columns of the app's, Connect's and connect-sync's tables, connect-sync's functions
 * (body, owner rights, settings), the indexes and triggers in pg-boss's and connect-sync's schemas.
 */
import type { Database } from '../../src/db/database.ts';

export async function schemaSnapshot(database: Pick<Database, 'pool'>) {
  const query = async (text: string) => (await database.pool.query(text)).rows;
  return {
    queues: await query(`SELECT name, policy, retry_limit, retry_delay, retry_backoff, retry_delay_max, expire_seconds, retention_seconds,
      deletion_seconds, dead_letter, heartbeat_seconds FROM pgboss.queue WHERE name NOT LIKE '\_\_pgboss\_\_%' ORDER BY name`),
    views: await query(`SELECT schemaname || '.' || viewname AS name, definition FROM pg_views WHERE schemaname = 'connect_sync' ORDER BY 1`),
    columns: await query(`SELECT table_schema, table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
      WHERE table_schema IN ('public', 'salesforce', 'connect_sync') ORDER BY 1, 2, 3`),
    functions: await query(`SELECT p.oid::regprocedure::text AS name, md5(prosrc) AS body, prosecdef, proconfig
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'connect_sync' ORDER BY 1`),
    indexes: await query(`SELECT schemaname, tablename, indexname, indexdef FROM pg_indexes WHERE schemaname IN ('pgboss', 'connect_sync') ORDER BY 1, 2, 3`),
    triggers: await query(`SELECT t.tgrelid::regclass::text AS on_table, t.tgname, pg_get_triggerdef(t.oid) AS definition FROM pg_trigger t
      JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE NOT t.tgisinternal AND n.nspname IN ('pgboss', 'connect_sync') ORDER BY 1, 2`),
  };
}
