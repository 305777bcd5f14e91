/** A pg-boss on the test database, stopped when the file's tests end. */
import { sql } from 'drizzle-orm';
import type { PgBoss } from 'pg-boss';
import { afterAll } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import { silentLogger } from '../../src/log.ts';
import { bossCreate } from '../../src/queue/boss.ts';

/** `supervise`: run pg-boss's maintenance and queue monitor (every 5 s), as a worker's does. */
export async function testBoss(database: Database, options: { supervise?: boolean } = {}): Promise<PgBoss> {
  const boss = bossCreate(database, silentLogger, { poolSize: 4, supervise: options.supervise });
  await boss.start();
  afterAll(() => boss.stop({ graceful: false, timeout: 1000 }));
  return boss;
}

export type JobRow = {
  id: string;
  name: string;
  state: string;
  data: Record<string, unknown>;
  output: Record<string, unknown> | null;
  retry_count: number;
  singleton_key: string | null;
  source_name: string | null;
};

/** Jobs of `queue` in the pg-boss table, oldest first. */
export async function jobsRead(database: Database, queue: string): Promise<JobRow[]> {
  const { rows } = await database.db.execute<JobRow>(
    sql`SELECT id, name, state, data, output, retry_count, singleton_key, source_name FROM pgboss.job WHERE name = ${queue} ORDER BY created_on, id`,
  );
  return rows;
}
