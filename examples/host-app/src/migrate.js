// The release step: the app's own migrations, then connect-sync's (the queue, its queues).
// `--mirror` also makes the Heroku Connect mirror tables and the local Connect stand-in, for
// development and tests; in production Heroku Connect owns them.
import { fileURLToPath } from 'node:url';
import { silentLogger } from 'connect-sync';
import { devDatabasePrepare } from 'connect-sync/testing';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { appDatabase } from './app.js';
import { appOpen } from './sync.js';

export async function appMigrate({ mirror = false } = {}) {
  const app = await appOpen();
  try {
    await migrate(appDatabase(app.pool), { migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)) });
    if (mirror) await devDatabasePrepare(app.sync.database, app.sync.config, silentLogger);
    else await app.sync.migrate();
  } finally {
    await app.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await appMigrate({ mirror: process.argv.includes('--mirror') });
