/**
 * The doctor's reads (doctor, repair's plan, the metrics' mirror counts) in one transaction with
 * PostgreSQL's JIT off. Their statements are large (every object's FAILED rows, the school
 * classification) but each reads little once planned; JIT, on by default from PostgreSQL 11 and
 * triggered by their cost estimates, spends longer compiling them than they run (PostgreSQL 15,
 * 1.1 million mirror rows: doctor 3.0 s with JIT, 0.9 s without). `SET LOCAL` ends with the
 * transaction, so the pooled connection goes back as it came.
 */
import { sql } from 'drizzle-orm';
import type { Database, Drizzle } from '../db/database.ts';

/** Runs `read` on a transaction of `database` whose statements are not JIT-compiled. */
export async function doctorReadWithoutJit<T>(database: Pick<Database, 'db'>, read: (reader: { db: Pick<Drizzle, 'execute'> }) => Promise<T>): Promise<T> {
  return database.db.transaction(async (tx) => {
    await tx.execute(sql`SET LOCAL jit = off`);
    return read({ db: tx });
  });
}
