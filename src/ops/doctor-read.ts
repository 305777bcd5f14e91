/**
 * The doctor's reads (doctor, repair's plan, the metrics' mirror counts) in one transaction with
 * settings of their own, `SET LOCAL` so the pooled connection goes back as it came:
 * - JIT off. Their statements are large (every object's FAILED rows, the school classification)
 *   but each reads little once planned; JIT, on by default from PostgreSQL 11 and triggered by
 *   their cost estimates, spent longer compiling them than they ran (PostgreSQL 15, 1.1 million
 *   mirror rows: doctor 3.0 s with JIT, 0.9 s without).
 * - A larger `work_mem`. Records with no mirror row and schools with no synced affiliation are
 *   anti-joins over whole tables, hashed; at the default 4 MB the hash of ten million mirror rows'
 *   keys went to disk in 16 to 64 batches. 64 MB per hash (PostgreSQL allows a hash twice that,
 *   `hash_mem_multiplier`, and shares one hash among a query's parallel workers) holds them, for
 *   this transaction only.
 */
import { sql } from 'drizzle-orm';
import type { Database, Drizzle } from '../db/database.ts';

/** The memory each sort or hash of the doctor's reads may take before spilling to disk. */
export const doctorWorkMem = '64MB';

/** Runs `read` on a transaction of `database` whose statements are not JIT-compiled and hash in memory. */
export async function doctorRead<T>(database: Pick<Database, 'db'>, read: (reader: { db: Pick<Drizzle, 'execute'> }) => Promise<T>): Promise<T> {
  return database.db.transaction(async (tx) => {
    await tx.execute(sql`SET LOCAL jit = off`);
    await tx.execute(sql`SELECT set_config('work_mem', ${doctorWorkMem}, true)`);
    return read({ db: tx });
  });
}
