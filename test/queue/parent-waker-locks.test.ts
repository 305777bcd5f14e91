/**
 * The waker never waits on a wait row a batch holds. A batch's one bookkeeping statement
 * (parent-wait.ts) locks the rows of the records still waiting, then those of the records it
 * wrote; the waker's locks rows in its index's order. Had the waker waited, the two could each
 * hold a row the other wants: a deadlock, which rolls back the batch and spends a retry of every
 * job in it. The rows are laid so the index gives B, X, A, with X held by a third transaction
 * until each side has taken what it takes first. The waker's sweeps skip held rows too.
 */
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { contactEditorAffiliation } from '../../src/editor/objects/contact-editor-affiliation.ts';
import { editor } from '../../src/editor/objects/editor.ts';
import { parentWaitsRecord, type ParentWaitEntry } from '../../src/queue/parent-wait.ts';
import { parentWakerStart } from '../../src/queue/parent-waker.ts';
import { editorObjectSet } from '../support/editor.ts';
import { logCapture } from '../support/log.ts';
import { testDatabase } from '../support/database.ts';
import { testBoss } from '../support/queue.ts';
import { mirrorRowInsert } from '../support/records.ts';
import { waitFor } from '../support/wait.ts';

const queue = contactEditorAffiliation.queueName;
const captured = logCapture('warn');
const database = await testDatabase();
const boss = await testBoss(database);
// Ticked by hand.
const waker = parentWakerStart(boss, database.db, editorObjectSet, captured.log, { intervalSeconds: 0 });
afterAll(() => waker.stop());

function entry(recordKey: string, parent: string, parentKey: string): ParentWaitEntry {
  return { recordKey, parent, parentKey, needsSfid: true, createdOn: new Date(), firstRun: true };
}

/** Records `keys` (inserted in this order) waiting on one Editor__c that is now in Salesforce. */
async function waitingOnReadyEditor(editorId: string, keys: string[]): Promise<void> {
  await mirrorRowInsert(database, editor, editorId, { synced: true });
  for (const key of keys) await parentWaitsRecord(database.db, queue, [], [entry(key, editor.name, editorId)]);
}

async function waitsRead(keys: string[]): Promise<Record<string, { parent: string; woken: boolean }>> {
  const { rows } = await database.db.execute<{ record_key: string; parent: string; woken: boolean }>(sql`
    SELECT record_key, parent, woken_at IS NOT NULL AS woken FROM connect_sync.parent_wait
     WHERE queue = ${queue} AND record_key = ANY(${sql.param(keys)}::text[])`);
  return Object.fromEntries(rows.map(({ record_key, parent, woken }) => [record_key, { parent, woken }]));
}

/** Whether a statement of this database beginning with `start` (a regular expression) is waiting on a lock. */
async function lockWaiting(start: string): Promise<boolean> {
  const { rows } = await database.pool.query(
    `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ~* $1`,
    [`^\\s*(${start})`],
  );
  return rows.length > 0;
}

/** A promise's outcome, readable while it is pending. */
function settledState<T>(promise: Promise<T>) {
  const state: { done: boolean; error?: unknown } = { done: false };
  promise.then(
    () => void (state.done = true),
    (error: unknown) => Object.assign(state, { done: true, error }),
  );
  return state;
}

/** Another transaction holding one wait row, as a batch does while it records its waits. */
async function rowHold(key: string): Promise<pg.Client> {
  const holder = new pg.Client({ connectionString: database.url });
  await holder.connect();
  await holder.query('BEGIN');
  await holder.query('SELECT 1 FROM connect_sync.parent_wait WHERE queue = $1 AND record_key = $2 FOR UPDATE', [queue, key]);
  return holder;
}

describe('the waker beside a batch holding wait rows', () => {
  it('wakes the records nobody holds at once and leaves a held one to the next tick', async () => {
    await waitingOnReadyEditor('editor-held', ['held-B', 'held-X', 'held-A']);
    const holder = await rowHold('held-X');
    try {
      const tick = waker.tick();
      const ticked = settledState(tick);
      await waitFor('the tick to end while the row is held', () => ticked.done, { timeoutMs: 3000 }).catch(() => undefined);
      expect(ticked).toEqual({ done: true });
      expect(await tick).toBe(2);
      expect(await waitsRead(['held-B', 'held-X', 'held-A'])).toMatchObject({ 'held-B': { woken: true }, 'held-X': { woken: false }, 'held-A': { woken: true } });
    } finally {
      await holder.query('COMMIT');
      await holder.end();
    }
    expect(await waker.tick()).toBe(1);
    expect((await waitsRead(['held-X']))['held-X']).toMatchObject({ woken: true });
    expect(captured.lines).toEqual([]);
  });

  it('and a batch recording its waits never deadlock: both go on', async () => {
    await waitingOnReadyEditor('editor-race', ['race-B', 'race-X', 'race-A']);
    const holder = await rowHold('race-X');
    let batch: Promise<unknown> = Promise.resolve();
    let tick: Promise<number> = Promise.resolve(0);
    try {
      // The waker's statement runs first: B, then X (held).
      tick = waker.tick();
      const ticked = settledState(tick);
      await waitFor('the tick to end or to wait on the held row', async () => ticked.done || (await lockWaiting('WITH ready AS|UPDATE')));
      // A batch whose run found A waiting (on its Contact now) and wrote B: its statement takes A,
      // then B, which the waker may hold.
      batch = database.db.transaction((tx) => parentWaitsRecord(tx, queue, ['race-B'], [entry('race-A', 'Contact', 'contact-race')]));
      const recorded = settledState(batch);
      await waitFor('the batch to end or to wait', async () => recorded.done || (await lockWaiting('WITH done AS')));
    } finally {
      // X is free: a waker that waited on X now wants A, which the batch holds.
      await holder.query('COMMIT');
      await holder.end();
    }
    await expect(batch).resolves.toBeInstanceOf(Map);
    await tick;
    expect(captured.lines).toEqual([]);
    // B was written (forgotten); A waits again, on its Contact, unwoken; X was woken.
    const waits = await waitsRead(['race-B', 'race-X', 'race-A']);
    expect(waits['race-B']).toBeUndefined();
    expect(waits['race-A']).toEqual({ parent: 'Contact', woken: false });
    if (!waits['race-X']?.woken) expect(await waker.tick()).toBe(1);
    expect((await waitsRead(['race-X']))['race-X']).toMatchObject({ woken: true });
  });

  it('sweeps past the rows a batch holds, and takes them on a later sweep', async () => {
    // A wait woken two hours ago and a successor whose job is gone: both due to be swept.
    await database.db.execute(sql`
      INSERT INTO connect_sync.parent_wait (queue, record_key, parent, parent_key, woken_at)
      VALUES (${queue}, 'swept-wait', ${editor.name}, 'editor-swept', now() - interval '2 hours')`);
    await database.db.execute(sql`
      INSERT INTO connect_sync.wait_successor (job_id, queue, record_key) VALUES ('00000000-0000-4000-8000-000000000001', ${queue}, 'swept-successor')`);
    const sweepable = async () => {
      const { rows } = await database.pool.query<{ n: number }>(`
        SELECT (SELECT count(*) FROM connect_sync.parent_wait WHERE record_key = 'swept-wait')
             + (SELECT count(*) FROM connect_sync.wait_successor WHERE record_key = 'swept-successor') AS n`);
      return Number(rows[0]!.n);
    };
    const holder = await rowHold('swept-wait');
    await holder.query('SELECT 1 FROM connect_sync.wait_successor WHERE record_key = $1 FOR UPDATE', ['swept-successor']);
    try {
      // A new waker sweeps on its first tick.
      const sweeper = parentWakerStart(boss, database.db, editorObjectSet, captured.log, { intervalSeconds: 0 });
      const ticked = settledState(sweeper.tick());
      await waitFor('the sweeping tick to end while the rows are held', () => ticked.done, { timeoutMs: 3000 }).catch(() => undefined);
      expect(ticked).toEqual({ done: true });
      expect(await sweepable()).toBe(2);
    } finally {
      await holder.query('COMMIT');
      await holder.end();
    }
    await parentWakerStart(boss, database.db, editorObjectSet, captured.log, { intervalSeconds: 0 }).tick();
    expect(await sweepable()).toBe(0);
    expect(captured.lines).toEqual([]);
  });
});
