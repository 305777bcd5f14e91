/**
 * Enqueueing sync jobs inside the caller's own transaction: the job commits with the app's rows
 * or not at all, so a sync is never lost between commit and enqueue, nor sent for rows rolled back.
 */
import { sql } from 'drizzle-orm';
import { fromDrizzle, type Db, type PgBoss } from 'pg-boss';
import type { z } from 'zod';
import type { MirrorObject, PayloadSchema } from '../mirror/define.ts';
import type { MirrorObjectSet } from '../mirror/object-set.ts';
import { payloadParse } from '../sync/payload-parse.ts';
import { PayloadInvalidError } from '../sync/sync-errors.ts';

/** A Drizzle transaction (or database), as `db.transaction(async (tx) => …)` hands it over. */
export type DrizzleTransaction = Parameters<typeof fromDrizzle>[0];

/** Where a job is written: the caller's Drizzle transaction, or any pg-boss `Db` (e.g. another driver's). */
export type EnqueueVia = { tx: DrizzleTransaction } | { db: Db };

/** The one way the app asks for a record to be synced. */
export interface SyncEnqueuer {
  /**
   * Enqueues a sync of the record `payload` names, in the caller's transaction. Returns the job
   * id, or null when syncing is off (SALESFORCE_ENABLED is not `true`). A payload of the wrong
   * shape throws PayloadInvalidError, so the caller's transaction rolls back whole; so does an
   * object that is not one of the declared set (MirrorObjectUnknownError).
   */
  enqueue<TSchema extends PayloadSchema>(object: MirrorObject<TSchema>, payload: z.input<TSchema>, via: EnqueueVia): Promise<string | null>;
}

/** The enqueuer for `objects`, sending through `boss`. */
export function syncEnqueuer(boss: PgBoss, objects: MirrorObjectSet, options: { enabled: boolean }): SyncEnqueuer {
  return {
    async enqueue(object, payload, via) {
      objects.member(object);
      if (!options.enabled) return null;
      const parsed = payloadParse(object, payload);
      if (parsed instanceof PayloadInvalidError) throw parsed;
      const db = 'tx' in via ? fromDrizzle(via.tx, sql) : via.db;
      return boss.send(object.queueName, parsed, { db, singletonKey: object.recordId(parsed as never) });
    },
  };
}
