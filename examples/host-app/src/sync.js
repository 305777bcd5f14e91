// The app's one handle on connect-sync, over its own pool and its own pg-boss.
import { connectSync, createLogger } from 'connect-sync';
import pg from 'pg';
import { PgBoss } from 'pg-boss';
import config from '../connect-sync.config.js';

/** Opens the app's pool, its pg-boss and connect-sync over both. */
export async function appOpen(databaseUrl = process.env.DATABASE_URL) {
  if (!databaseUrl) throw new Error('Set DATABASE_URL to the app database, e.g. postgres://localhost:5432/app');
  const pool = new pg.Pool({ connectionString: databaseUrl });
  const boss = new PgBoss({ connectionString: databaseUrl });
  boss.on('error', (error) => console.error(`pg-boss: ${error.message}`));
  await boss.start();
  const log = createLogger({ LOG_LEVEL: process.env.LOG_LEVEL ?? 'info', LOG_FORMAT: 'json' });
  const sync = connectSync({ ...config, pool, boss, log, enabled: process.env.SALESFORCE_ENABLED !== 'false' });
  return {
    pool,
    boss,
    sync,
    async close() {
      await sync.stop();
      await boss.stop({ graceful: false });
      await pool.end();
    },
  };
}
