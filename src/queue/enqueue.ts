/**
 * Enqueueing sync jobs inside the caller's own transaction: the job commits with the app's rows
 * or not at all, so a sync is never lost between commit and enqueue, nor sent for rows rolled back.
 *
 * The job row is written by one lean statement (sql-enqueue.ts `jobInsertSql`: the row as
 * pg-boss's insert writes it, settings copied from the queue's row, and pg-boss's NOTIFY), run
 * as a named prepared statement on the caller's transaction connection: no pg-boss instance, no
 * pool, no connection of its own. pg-boss's `send` costs
 * ~3 KB of unprepared SQL per job (parse and plan every time), which more than doubled a small app
 * transaction; prepared, a connection parses and plans it once.
 */
import { sql } from 'drizzle-orm';
import { fromDrizzle, type Db } from 'pg-boss';
import type { z } from 'zod';
import type { MirrorObject, PayloadSchema } from '../mirror/define.ts';
import type { MirrorObjectSet } from '../mirror/object-set.ts';
import { payloadParse } from '../sync/payload-parse.ts';
import { PayloadInvalidError } from '../sync/sync-errors.ts';
import { jobInsertSql, recordKeyLengthMax } from './sql-enqueue.ts';
import { ConnectSyncError } from '../errors.ts';

/** A Drizzle transaction (or database), as `db.transaction(async (tx) => …)` hands it over. */
export type DrizzleTransaction = Parameters<typeof fromDrizzle>[0];

/** Where a job is written: the caller's Drizzle transaction, or any pg-boss `Db` (e.g. another driver's). */
export type EnqueueVia = { tx: DrizzleTransaction } | { db: Db };

/** The one way the app asks for a record to be synced. */
export interface SyncEnqueuer {
  /**
   * Enqueues a sync of the record `payload` names, in the caller's transaction. Returns the job
   * id, or null when syncing is off. A payload of the wrong
   * shape throws PayloadInvalidError, so the caller's transaction rolls back whole; so does an
   * object that is not one of the declared set (MirrorObjectUnknownError).
   */
  enqueue<TSchema extends PayloadSchema>(object: MirrorObject<TSchema>, payload: z.input<TSchema>, via: EnqueueVia): Promise<string | null>;
}

/** The queue a job was sent to does not exist: `migrate` has not run for this object. */
export class QueueMissingError extends ConnectSyncError { readonly code = 'QUEUE_MISSING'; }

/** The name the insert is prepared under on each connection. */
const preparedName = 'connect_sync_job_insert';

/** The shape of a Drizzle node-postgres transaction's session, as far as the prepared insert needs it. */
type PreparingSession = {
  prepareQuery(query: { sql: string; params: unknown[] }, fields: undefined, name: string, isResponseInArrayMode: false): { all(): Promise<unknown> };
};

/** The enqueuer for `objects`; their queues must exist (`migrate`). */
export function syncEnqueuer(objects: MirrorObjectSet, options: { enabled: boolean }): SyncEnqueuer {
  return {
    async enqueue(object, payload, via) {
      objects.member(object);
      // From JavaScript the third argument can be forgotten: say what it is, not `'tx' in undefined`.
      if (typeof via !== 'object' || via === null || !('tx' in via || 'db' in via)) {
        throw new TypeError(
          `enqueue(${object.name}, payload, via) needs where to write the job, as its third argument: { tx } (your Drizzle transaction, so the job commits with your rows) or { db } (a pg-boss Db).`,
        );
      }
      if (!options.enabled) return null;
      const parsed = payloadParse(object, payload);
      if (parsed instanceof PayloadInvalidError) throw parsed;
      const values = [object.queueName, JSON.stringify(parsed), object.recordId(parsed as never)];
      if (values[2]!.length > recordKeyLengthMax) {
        throw new PayloadInvalidError(
          `${object.record} id is ${values[2]!.length} characters long (${values[2]!.slice(0, 40)}…); a record id is at most ${recordKeyLengthMax}`,
        );
      }
      const rows = 'tx' in via ? await viaTransaction(via.tx, values) : await via.db.executeSql(jobInsertSql, values).then((result) => result.rows);
      const id = (rows as { id?: string }[])[0]?.id;
      if (!id) throw new QueueMissingError(`Queue ${object.queueName} does not exist: run connect-sync migrate before enqueueing ${object.record} ${values[2]}`);
      return id;
    },
  };
}

/** Runs the insert prepared on the transaction's own connection (plain, if the driver cannot prepare). */
async function viaTransaction(tx: DrizzleTransaction, values: unknown[]): Promise<unknown[]> {
  const session = (tx as { _?: { session?: Partial<PreparingSession> } })._?.session;
  if (typeof session?.prepareQuery === 'function') {
    const rows = await session.prepareQuery({ sql: jobInsertSql, params: values }, undefined, preparedName, false).all();
    return rows as unknown[];
  }
  return (await fromDrizzle(tx, sql).executeSql(jobInsertSql, values)).rows;
}
