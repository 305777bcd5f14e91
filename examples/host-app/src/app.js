// The app's operations: each writes its rows and enqueues their sync jobs in one transaction,
// so a job is never lost after a commit, nor sent for rows that were rolled back.
import { drizzle } from 'drizzle-orm/node-postgres';
import { account, employee } from './objects.js';
import { accounts, employees } from './schema.js';

/** The app's Drizzle database, with its schema. */
export function appDatabase(pool) {
  return drizzle({ client: pool, schema: { accounts, employees } });
}

/** Opens an account and hires its first employee, in one transaction. */
export async function accountOpen(db, sync, { name, firstEmployee }) {
  return db.transaction(async (tx) => {
    const [created] = await tx.insert(accounts).values({ name }).returning();
    const [hired] = await tx.insert(employees).values({ accountId: created.id, fullName: firstEmployee }).returning();
    await sync.enqueue(account, { accountId: created.id }, { tx });
    await sync.enqueue(employee, { employeeId: hired.id }, { tx });
    return { account: created, employee: hired };
  });
}
