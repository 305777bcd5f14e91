/**
 * The contract with pg-boss's internals (src/queue/boss-contract.ts): a job connect-sync writes,
 * from TypeScript or from SQL, is the row pg-boss's own `send` writes in every column but its id,
 * payload and times; a job connect-sync completes (a superseded successor) is the row pg-boss's own
 * `complete` leaves, by the very SET list pg-boss's statement has; and connect-sync's NOTIFY goes
 * to the channel pg-boss's workers listen on. A pg-boss release that changes any of them fails here.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import pg from 'pg';
// pg-boss's own statements, to hold connect-sync's copies against (not part of its public API).
import { completeJobs } from 'pg-boss/dist/plans.js';
import { describe, expect, it } from 'vitest';
import { editor } from '../../src/editor/objects/editor.ts';
import { identifierQuote } from '../../src/db/sql-names.ts';
import { bossCompletionSet, bossNotifyChannel, bossVersionsHeld } from '../../src/queue/boss-contract.ts';
import { bossSchema } from '../../src/queue/queues.ts';
import { syncEnqueuer } from '../../src/queue/enqueue.ts';
import { waitSuccessorsSettle } from '../../src/queue/wait-successor.ts';
import { testDatabase } from '../support/database.ts';
import { editorObjectSet } from '../support/editor.ts';
import { testBoss } from '../support/queue.ts';
import { schoolInsert } from '../support/records.ts';

const database = await testDatabase();
const boss = await testBoss(database);
const sync = syncEnqueuer(editorObjectSet, { enabled: true });

/** Every column of the job but its id, payload and times (of its completion, only whether it has one). */
async function jobRow(id: string): Promise<Record<string, unknown>> {
  const { rows } = await database.pool.query<Record<string, unknown>>('SELECT * FROM pgboss.job WHERE id = $1', [id]);
  const { id: _id, data: _data, created_on: _c, start_after: _s, keep_until: _k, started_on: _st, completed_on, singleton_key, ...rest } = rows[0]!;
  return { ...rest, completed_on_set: completed_on !== null, singleton_key_is_the_record: singleton_key };
}

/** The assignments of an UPDATE's SET list, by column, each on one line. */
function setList(statement: string): Record<string, string> {
  const list = /\bSET\b([\s\S]*?)\bWHERE\b/i.exec(statement)![1]!;
  return Object.fromEntries(
    list.split(',').map((assignment) => {
      const [column, ...value] = assignment.split('=');
      return [column!.trim(), value.join('=').replace(/\s+/g, ' ').trim()];
    }),
  );
}

describe("connect-sync's job row", () => {
  it('is held against the pg-boss installed, the one the peer dependency names', () => {
    const installed = (createRequire(import.meta.url)('pg-boss/package.json') as { version: string }).version;
    const peer = (createRequire(import.meta.url)('../../package.json') as { peerDependencies: Record<string, string> }).peerDependencies['pg-boss'];
    expect([installed, peer]).toEqual([bossVersionsHeld, bossVersionsHeld]);
  });

  it("is pg-boss's send's, from enqueue and from sync_enqueue", async () => {
    const rows = [];
    for (const how of ['send', 'enqueue', 'sync_enqueue'] as const) {
      const school = await schoolInsert(database);
      const payload = { schoolId: school.id, isCreate: true };
      const id =
        how === 'send'
          ? await boss.send(editor.queueName, payload, { singletonKey: school.id })
          : how === 'enqueue'
            ? await database.db.transaction((tx) => sync.enqueue(editor, payload, { tx }))
            : (await database.pool.query<{ id: string }>('SELECT connect_sync.sync_enqueue($1, $2, $3) AS id', [editor.queueName, payload, school.id])).rows[0]!.id;
      const row = await jobRow(id!);
      expect(row.singleton_key_is_the_record).toBe(school.id);
      rows.push({ how, ...row, singleton_key_is_the_record: true });
    }
    const [send, ...ours] = rows.map(({ how: _how, ...row }) => row);
    for (const row of ours) expect(row).toEqual(send);
  });

  it("settled as superseded is pg-boss's complete of a queued job, but for its output", async () => {
    const rows = [];
    for (const how of ['complete', 'superseded'] as const) {
      const school = await schoolInsert(database);
      const id = randomUUID();
      await boss.insert(editor.queueName, [{ id, data: { schoolId: school.id, isCreate: true }, singletonKey: school.id, startAfter: 3600 }]);
      if (how === 'complete') await boss.complete(editor.queueName, id, { superseded: 'by hand' }, { includeQueued: true });
      else {
        await waitSuccessorsSettle(database.db, editor.queueName, { enqueued: [{ jobId: id, recordKey: school.id }], ran: [], written: [], fetchedAt: new Date() });
        const settled = await waitSuccessorsSettle(database.db, editor.queueName, {
          enqueued: [],
          ran: [],
          written: [{ recordKey: school.id, jobId: randomUUID() }],
          fetchedAt: new Date(Date.now() + 1000),
        });
        expect(settled).toBe(1);
      }
      const { output, ...row } = await jobRow(id);
      expect(output).toMatchObject({ superseded: expect.any(String) });
      rows.push({ ...row, singleton_key_is_the_record: row.singleton_key_is_the_record === school.id });
    }
    expect(rows[1]).toEqual(rows[0]);
  });

  it("completes a job by the SET list of pg-boss's complete of a queued job, output aside", () => {
    const theirs = setList(completeJobs(identifierQuote(bossSchema), 'job', true));
    // pg-boss's own output parameter in place of the output connect-sync gives.
    const ours = setList(`UPDATE job SET ${new PgDialect().sqlToQuery(bossCompletionSet(sql.raw('$3::jsonb'))).sql} WHERE true`);
    expect(Object.keys(theirs).sort()).toEqual(['blocked', 'completed_on', 'output', 'pending_dependencies', 'state']);
    expect(ours).toEqual(theirs);
  });

  it("NOTIFYs pg-boss's own channel, with the queue's name", async () => {
    const listener = new pg.Client({ connectionString: database.url });
    await listener.connect();
    try {
      const heard: { channel: string; payload?: string }[] = [];
      listener.on('notification', (message) => heard.push({ channel: message.channel, payload: message.payload }));
      await listener.query(`LISTEN "${bossNotifyChannel()}"`);
      // pg-boss's send on a queue with notify on, then connect-sync's.
      await boss.createQueue(`contract-${randomUUID()}`, { notify: true });
      const queue = (await boss.getQueues()).find((candidate) => candidate.name.startsWith('contract-'))!.name;
      await boss.send(queue, {});
      const school = await schoolInsert(database);
      await database.db.transaction((tx) => sync.enqueue(editor, { schoolId: school.id, isCreate: true }, { tx }));
      const deadline = Date.now() + 10_000;
      while (heard.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(heard).toEqual([
        { channel: bossNotifyChannel(), payload: queue },
        { channel: bossNotifyChannel(), payload: editor.queueName },
      ]);
    } finally {
      await listener.end();
    }
  });
});
