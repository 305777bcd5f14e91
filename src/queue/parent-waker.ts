/**
 * The waker: runs a waiting job as soon as the parent it waits on is in Salesforce, instead of
 * at its next backoff step. Every `intervalSeconds` it reads the small set of waiting records
 * set-wise — per parent object one statement joining connect_sync.parent_wait to the parent's
 * mirror table on its external id where the sfid is set, marking what it found as woken — and
 * brings those records' jobs forward with pg-boss's public `update` (startAfter now), whose NOTIFY
 * wakes a worker at once. It installs nothing on Connect's tables (no triggers), so it goes on
 * working when Heroku Connect drops and recreates them on a mapping reload; a tick that finds a
 * table missing just finds nothing until the table is back. The backoff stays the safety net.
 */
import { sql } from 'drizzle-orm';
import { fromDrizzle, type PgBoss } from 'pg-boss';
import type { Drizzle } from '../db/database.ts';
import type { DatabaseReachability } from '../db/database-reachability.ts';
import type { Logger } from '../log.ts';
import { mirrorTableName } from '../mirror/mirror-table-name.ts';
import { undefinedTableState } from '../mirror/mirror-tables-missing.ts';
import type { AnyMirrorObject, MirrorObjectSet } from '../mirror/object-set.ts';
import { sqlIdentifier, syncTable } from '../db/sql-names.ts';
import { sqlMessage, sqlState, statementFailure } from '../sync/statement-errors.ts';
import { waitSuccessorsSweep } from './wait-successor.ts';

const parentWaitTable = syncTable('parent_wait');

/** A running waker. */
export interface ParentWaker {
  /** Checks once now; resolves to the number of records woken. */
  tick(): Promise<number>;
  /** Stops ticking and waits for a tick in progress. */
  stop(): Promise<void>;
}

/** Seconds between the waker's checks by default (PARENT_WAKE_SECONDS). */
export const parentWakeSecondsDefault = 0.5;

const sweepEveryMs = 60_000;

/** Records woken by one statement: their queue and record key. */
type Woken = { queue: string; record_key: string };

/** Starts the waker over `objects`' mirror tables; `intervalSeconds` 0 starts none (backoff only). */
export function parentWakerStart(
  boss: PgBoss,
  db: Drizzle,
  objects: MirrorObjectSet,
  log: Logger,
  options: { intervalSeconds?: number; reachability?: DatabaseReachability } = {},
): ParentWaker {
  const { reachability } = options;
  const intervalMs = (options.intervalSeconds ?? parentWakeSecondsDefault) * 1000;
  // What each parent's last check said: a parent whose table is missing is said once, however
  // many ticks pass and however the other parents' checks go.
  const lastErrors = new Map<string, string>();
  let lastError: string | undefined;
  let lastSweep = 0;
  const tick = async (): Promise<number> => {
    let woken = 0;
    const parents = await parentsWaitedOn(db, objects);
    reachability?.answered();
    for (const object of parents) {
      const parent = object.name;
      try {
        woken += await parentWake(boss, db, object);
        lastErrors.delete(parent);
      } catch (error) {
        if (reachability?.failed(error, 'parent waker')) continue;
        // Typically a mirror table Connect is dropping and recreating: said once, then retried.
        const message =
          sqlState(error) === undefinedTableState
            ? `its mirror table ${mirrorTableName(object)} does not exist now; records waiting on it wait until it is back`
            : sqlMessage(error);
        if (message !== lastErrors.get(parent)) log.warn({ parent }, `parent waker could not check ${parent}: ${message}`);
        lastErrors.set(parent, message);
      }
    }
    if (woken > 0) log.debug({ woken }, 'waiting jobs woken: their parents are in Salesforce');
    if (Date.now() - lastSweep > sweepEveryMs) {
      lastSweep = Date.now();
      await wokenWaitsSweep(db);
      await waitSuccessorsSweep(db);
    }
    return woken;
  };
  // While the database is unreachable the ticks wait: its reachability is checked on its own.
  const ticker = tickerStart(intervalMs, async () =>
    reachability?.reachable === false ? 0 : tick().catch((error: unknown) => {
      if (reachability?.failed(error, 'parent waker')) return;
      const message = sqlMessage(error);
      if (message !== lastError) log.warn({ errorClass: statementFailure(error).errorClass, sqlState: sqlState(error) }, `parent waker failed: ${message}`);
      lastError = message;
    }),
  );
  return { tick, stop: ticker.stop };
}

/** The declared objects some record waits on now (a parent no longer declared is left to the backoff). */
async function parentsWaitedOn(db: Pick<Drizzle, 'execute'>, objects: MirrorObjectSet): Promise<AnyMirrorObject[]> {
  const { rows } = await db.execute<{ parent: string }>(sql`SELECT DISTINCT parent FROM ${parentWaitTable} WHERE woken_at IS NULL`);
  return rows.flatMap(({ parent }) => objects.named(parent) ?? []);
}

/**
 * The check of one parent object: marks the waits whose parent row is ready as woken and brings
 * their jobs forward. One transaction: one commit however many records wake, pg-boss's NOTIFYs
 * delivered together at its end, and a failure leaves the records unmarked for the next tick.
 */
async function parentWake(boss: PgBoss, db: Drizzle, object: AnyMirrorObject): Promise<number> {
  return db.transaction(async (tx) => {
    const records = await parentReadyMark(tx, object);
    const bossDb = fromDrizzle(tx, sql);
    for (const record of records) {
      await boss.update({ name: record.queue, options: { singletonKey: record.record_key, match: 'all', startAfter: 0, db: bossDb } });
    }
    return records.length;
  });
}

/**
 * A record woken an hour ago that has not waited since was written (its job settled otherwise),
 * or gave up; its row would only make a later wait look older than it is. A row a batch holds is
 * left to a later sweep, as `parentReadyMark` leaves it to the next tick.
 */
async function wokenWaitsSweep(db: Pick<Drizzle, 'execute'>): Promise<void> {
  await db.execute(sql`
    DELETE FROM ${parentWaitTable} w
     USING (SELECT queue, record_key FROM ${parentWaitTable} WHERE woken_at < now() - interval '1 hour' FOR UPDATE SKIP LOCKED) old
     WHERE w.queue = old.queue AND w.record_key = old.record_key`);
}

/**
 * Runs `run` every `intervalMs` after the previous run ends (never two at once), on a timer that
 * keeps no process alive; 0 or less runs nothing. `stop()` ends it and waits for a run in progress.
 */
function tickerStart(intervalMs: number, run: () => Promise<unknown>): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = intervalMs <= 0;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = run().finally(schedule);
    }, intervalMs);
    timer.unref();
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

/**
 * Marks the unwoken waits on `parent` whose row is ready as woken; returns them. A wait whose row
 * a batch holds (recording its waits, forgetting the records it wrote) is skipped, not waited
 * for: the batch's one statement locks its rows in its own order, this one in the index's, and
 * waiting could close a cycle, a deadlock that rolls back the batch and spends a retry of every
 * job in it. The batch either deletes the row or leaves it unwoken, and the next tick sees it.
 */
async function parentReadyMark(db: Pick<Drizzle, 'execute'>, parent: AnyMirrorObject): Promise<Woken[]> {
  const { rows } = await db.execute<Woken>(sql`
    WITH ready AS (
      SELECT w.queue, w.record_key
        FROM ${parentWaitTable} w
        JOIN ${parent.table} m ON m.${sqlIdentifier(parent.externalId)} = w.parent_key
       WHERE w.parent = ${parent.name} AND w.woken_at IS NULL
         AND (m.sfid IS NOT NULL OR NOT w.needs_sfid)
         FOR UPDATE OF w SKIP LOCKED
    )
    UPDATE ${parentWaitTable} w SET woken_at = now()
      FROM ready r
     WHERE w.queue = r.queue AND w.record_key = r.record_key
    RETURNING w.queue, w.record_key`);
  return rows;
}
