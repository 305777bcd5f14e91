/**
 * A bulk enqueue (a backfill, a redrive) into a freshly migrated database: the record-key
 * trigger looks up an identical waiting job for every inserted row, and that lookup must stay an
 * index probe even though the job table was last analyzed empty. A scan per row made a
 * 20,000-job insert take 36 s instead of under one (bench/bulk-enqueue.ts).
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { contactEditorAffiliation } from '../../src/editor/objects/contact-editor-affiliation.ts';
import { testDatabase } from '../support/database.ts';
import { testBoss } from '../support/queue.ts';

const jobs = 2000;

describe('a bulk enqueue into a queue last analyzed empty', () => {
  it('keys and coalesces every job without scanning the job table once per job', async () => {
    const database = await testDatabase();
    await testBoss(database);
    const queue = contactEditorAffiliation.queueName;
    // One connection of our own: its table statistics are flushed when we ask, not seconds later.
    const sender = new pg.Client({ connectionString: database.url });
    await sender.connect();
    try {
      const { rows: tables } = await sender.query<{ table_name: string }>('SELECT table_name FROM pgboss.queue WHERE name = $1', [queue]);
      const jobTable = `pgboss.${tables[0]!.table_name}`;
      await sender.query('ANALYZE pgboss.job');
      const sequentialScans = async () => {
        await sender.query('SELECT pg_stat_force_next_flush()');
        await sender.query('SELECT pg_stat_clear_snapshot()');
        const { rows } = await sender.query<{ seq_scan: string }>('SELECT seq_scan FROM pg_stat_user_tables WHERE relid = $1::regclass', [jobTable]);
        return Number(rows[0]!.seq_scan);
      };
      const before = await sequentialScans();
      // Sent without keys, as any sender may: the trigger keys each by its roleId; the second
      // half repeats the first, so half coalesce.
      await sender.query(
        `INSERT INTO pgboss.job (name, data, policy)
         SELECT $1, jsonb_build_object('roleId', (n % $2) + 1), 'singleton' FROM generate_series(0, $2 * 2 - 1) n`,
        [queue, jobs / 2],
      );
      const scans = (await sequentialScans()) - before;

      const { rows } = await sender.query<{ keyed: number; coalesced: number }>(
        `SELECT count(*) FILTER (WHERE singleton_key = data ->> 'roleId')::int AS keyed,
                count(*) FILTER (WHERE output ? 'coalescedInto')::int AS coalesced
         FROM pgboss.job WHERE name = $1`,
        [queue],
      );
      expect(rows[0]).toEqual({ keyed: jobs, coalesced: jobs / 2 });
      expect(scans).toBeLessThan(10);
    } finally {
      await sender.end();
    }
  });
});
