/**
 * `connect-sync backfill <object|all>`: a sync job for every record of an object, enqueued set-wise
 * in batches (one read and one `boss.insert` per batch), skipping records that already have a job
 * waiting. Safe to stop and run again: a second run enqueues only what the first did not.
 */
import { SingleBar } from 'cli-progress';
import { sql } from 'drizzle-orm';
import { sqlIdentifier } from '../db/sql-names.ts';
import type { JobInsert, PgBoss } from 'pg-boss';
import type { CommandContext } from '../command-context.ts';
import { syncEnabled } from '../config.ts';
import type { Database } from '../db/database.ts';
import { ConnectSyncError, SyncDisabledError } from '../errors.ts';
import type { AnyMirrorObject } from '../mirror/object-set.ts';
import { bossCreate } from '../queue/boss.ts';
import { bossSchema } from '../queue/queues.ts';
import { sourceQuery } from '../sync/source-query.ts';
import { notSkipped } from './doctor-sql.ts';
import { operatorPrint } from './operator-text.ts';

/** Records read and jobs inserted per batch. */
export const backfillBatchSize = 1000;

/** What a backfill of one object did. */
export interface BackfillResult {
  object: AnyMirrorObject;
  /** Records the object syncs (skipped ones, such as student roles, not counted). */
  records: number;
  enqueued: number;
  /** Records left alone because a job of theirs was already waiting. */
  alreadyWaiting: number;
}

/** Runs `body` holding a lock only one backfill of `object` can have at a time. */
/** A backfill of the same object is running elsewhere; two would enqueue the same records twice over. */
export class BackfillRunningError extends ConnectSyncError { readonly code = 'BACKFILL_RUNNING'; }

async function backfillLockHold<T>(database: Pick<Database, 'pool'>, object: AnyMirrorObject, body: () => Promise<T>): Promise<T> {
  const client = await database.pool.connect();
  const key = `connect-sync backfill ${object.queueName}`;
  try {
    const { rows } = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(hashtext($1)) AS locked`, [key]);
    if (!rows[0]?.locked) throw new BackfillRunningError(`Another backfill of ${object.queue} is running; wait for it or stop it first.`);
    try {
      return await body();
    } finally {
      await client.query(`SELECT pg_advisory_unlock(hashtext($1))`, [key]);
    }
  } finally {
    client.release();
  }
}

/**
 * Enqueues a job for every record of `object` that has none waiting (created or retry on its
 * queue under its singleton key), `batchSize` at a time, in record id order.
 */
export async function backfillRun(
  database: Pick<Database, 'db' | 'pool'>,
  boss: PgBoss,
  object: AnyMirrorObject,
  options: { batchSize?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<BackfillResult> {
  const batchSize = options.batchSize ?? backfillBatchSize;
  const { source } = object;
  const synced = notSkipped(object);

  return backfillLockHold(database, object, async () => {
    const [counted] = (await sourceQuery(database.db, object, { count: sql<number>`count(*)::int` }).where(synced)) as { count: number }[];
    const result: BackfillResult = { object, records: counted?.count ?? 0, enqueued: 0, alreadyWaiting: 0 };
    options.onProgress?.(0, result.records);

    const idType = sql.raw(source.id.getSQLType());
    const key = sql`(${source.id})::text`;
    const waiting = sql<boolean>`EXISTS (SELECT 1 FROM ${sqlIdentifier(bossSchema)}.job j
      WHERE j.name = ${object.queueName} AND j.singleton_key = ${key} AND j.state IN ('created', 'retry'))`;
    let cursor: string | undefined;
    let done = 0;
    for (;;) {
      const query = sourceQuery(database.db, object, { key: sql<string>`${key}`, waiting });
      const after = cursor === undefined ? sql`true` : sql`${source.id} > ${cursor}::${idType}`;
      const batch = (await query.where(sql`${synced} AND ${after}`).orderBy(source.id).limit(batchSize)) as { key: string; waiting: boolean }[];
      if (batch.length === 0) break;
      const jobs: JobInsert[] = batch
        .filter((record) => !record.waiting)
        .map((record) => ({ data: object.payloadFor(record.key), singletonKey: record.key }));
      if (jobs.length > 0) await boss.insert(object.queueName, jobs);
      result.enqueued += jobs.length;
      result.alreadyWaiting += batch.length - jobs.length;
      done += batch.length;
      cursor = batch[batch.length - 1]?.key;
      options.onProgress?.(done, Math.max(done, result.records));
    }
    return result;
  });
}

/** The `backfill` command: each object in turn, with a progress bar on the terminal. */
export async function backfillCommand({ database, config, log, settings }: CommandContext, name: string): Promise<void> {
  const objects = config.objects.select(name);
  if (!syncEnabled(settings)) {
    throw new SyncDisabledError('Syncing is off (SALESFORCE_ENABLED=false): the worker would discard every backfilled job, so nothing was enqueued.');
  }
  const boss = bossCreate(database, log, { poolSize: database.budget?.boss ?? 2 });
  await boss.start();
  try {
    for (const object of objects) {
      const bar = new SingleBar({ format: `${object.queue.padEnd(14)} [{bar}] {value}/{total} records`, hideCursor: true, stream: process.stderr });
      let started = false;
      const result = await backfillRun(database, boss, object, {
        onProgress: (done, total) => {
          if (!started) bar.start(total, done);
          started = true;
          bar.setTotal(total);
          bar.update(done);
        },
      });
      bar.stop();
      operatorPrint(`${object.name}: ${result.enqueued} job(s) enqueued, ${result.alreadyWaiting} already waiting, of ${result.records} record(s)`);
    }
  } finally {
    await boss.stop({ graceful: false });
  }
}
