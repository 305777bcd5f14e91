/**
 * The example host app's own schema and objects (examples/host-app), as the tests here use them:
 * a host that has never heard of schools. Its migrations are its own, applied as it applies them.
 */
import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type { Database } from '../../src/db/database.ts';
import { account, employee } from '../../examples/host-app/src/objects.js';
import { accounts, employees } from '../../examples/host-app/src/schema.js';

export { account, accounts, employee, employees };

/** Runs the host app's own drizzle-kit migrations. */
export async function hostTablesMigrate(database: Database): Promise<void> {
  await migrate(database.db, { migrationsFolder: fileURLToPath(new URL('../../examples/host-app/migrations', import.meta.url)) });
}
