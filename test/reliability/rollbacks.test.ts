/**
 * Jobs commit with the app's rows or not at all: 1,000 app operations, about 30 % rolled back
 * after enqueueing, leave a job for every committed record and none for a rolled-back one.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { schools } from '../../src/editor/app-schema.ts';
import { editor } from '../../src/editor/objects/editor.ts';
import { syncEnqueuer } from '../../src/queue/enqueue.ts';
import { editorObjectSet } from '../support/editor.ts';
import { testDatabase } from '../support/database.ts';
import { testBoss } from '../support/queue.ts';
import { figure } from './support.ts';

const operations = 1000;

class RolledBack extends Error {}

describe('operations rolled back at random', () => {
  it(`${operations} operations: a job iff the operation committed`, { timeout: 120_000 }, async () => {
    const database = await testDatabase();
    const boss = await testBoss(database);
    const sync = syncEnqueuer(editorObjectSet, { enabled: true });
    let rolledBack = 0;
    const operation = async (n: number) => {
      try {
        await database.db.transaction(async (tx) => {
          const [school] = await tx.insert(schools).values({ name: `School ${n}`, creatorId: randomUUID() }).returning();
          await sync.enqueue(editor, { schoolId: school!.id, isCreate: true }, { tx });
          // The app fails after enqueueing, as a later step of a real operation might.
          if (Math.random() < 0.3) throw new RolledBack();
        });
      } catch (error) {
        if (!(error instanceof RolledBack)) throw error;
        rolledBack++;
      }
    };
    for (let start = 0; start < operations; start += 10) {
      await Promise.all(Array.from({ length: 10 }, (_, i) => operation(start + i)));
    }
    const { rows } = await database.pool.query<{ schools: number; jobs: number; orphan_jobs: number; schools_without_job: number }>(
      `SELECT (SELECT count(*)::int FROM schools) AS schools,
              (SELECT count(*)::int FROM pgboss.job WHERE name = $1) AS jobs,
              (SELECT count(*)::int FROM pgboss.job j WHERE name = $1 AND NOT EXISTS (SELECT 1 FROM schools s WHERE s.id::text = j.data->>'schoolId')) AS orphan_jobs,
              (SELECT count(*)::int FROM schools s WHERE NOT EXISTS (SELECT 1 FROM pgboss.job j WHERE j.name = $1 AND j.data->>'schoolId' = s.id::text)) AS schools_without_job`,
      [editor.queueName],
    );
    const result = rows[0]!;
    figure('random rollbacks', { operations, rolledBack, committed: result.schools, jobs: result.jobs, orphanJobs: result.orphan_jobs, recordsWithoutJob: result.schools_without_job });
    expect(rolledBack).toBeGreaterThan(0);
    expect(result).toEqual({ schools: operations - rolledBack, jobs: operations - rolledBack, orphan_jobs: 0, schools_without_job: 0 });
  });
});
