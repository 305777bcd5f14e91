/**
 * Enqueueing in the app's own transaction: the job commits with the rows or not at all, carries
 * its queue's settings as pg-boss's own send would, and (from TypeScript or from SQL) wakes a
 * listening worker at commit.
 */
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { fromDrizzle } from 'pg-boss';
import { afterAll, describe, expect, it } from 'vitest';
import { schoolCreate } from '../../src/editor/operations/schools.ts';
import { roleCreate } from '../../src/editor/operations/roles.ts';
import { schools } from '../../src/editor/app-schema.ts';
import { editor } from '../../src/editor/objects/editor.ts';
import { syncEnqueuer } from '../../src/queue/enqueue.ts';
import { bossCreate } from '../../src/queue/boss.ts';
import { syncWorkStart } from '../../src/queue/sync-worker.ts';
import { silentLogger } from '../../src/log.ts';
import { mirrorRowRead } from '../support/records.ts';
import { waitFor } from '../support/wait.ts';
import { editorObjectSet as objects } from '../support/editor.ts';
import { PayloadInvalidError } from '../../src/sync/sync-errors.ts';
import { testDatabase } from '../support/database.ts';
import { jobsRead, testBoss } from '../support/queue.ts';
import { schoolInsert } from '../support/records.ts';
import { editorObjectSet } from '../support/editor.ts';

const database = await testDatabase();
const boss = await testBoss(database);
const app = { db: database.db, sync: syncEnqueuer(editorObjectSet, { enabled: true }) };

describe('enqueue inside the app transaction', () => {
  it('commits the job with the school: a school job (create) and a contact job, keyed by the school', async () => {
    const school = await schoolCreate(app, { name: 'Gurnard Primary', creatorId: randomUUID() });
    const [schoolJob] = (await jobsRead(database, 'salesforce-sync.school')).filter((job) => job.singleton_key === school.id);
    expect(schoolJob).toMatchObject({ state: 'created', data: { schoolId: school.id, isCreate: true } });
    const contactJobs = (await jobsRead(database, 'salesforce-sync.contact')).filter((job) => job.singleton_key === school.id);
    expect(contactJobs.map((job) => job.data)).toEqual([{ schoolId: school.id }]);
  });

  it('writes the job with its queue\'s settings, as pg-boss\'s send does, through a transaction or any pg-boss Db', async () => {
    const viaTx = await schoolInsert(database);
    const viaDb = await schoolInsert(database);
    const [txJob, dbJob] = await database.db.transaction(async (tx) => [
      await app.sync.enqueue(editor, { schoolId: viaTx.id, isCreate: true }, { tx }),
      await app.sync.enqueue(editor, { schoolId: viaDb.id }, { db: fromDrizzle(tx, sql) }),
    ]);
    const sent = await boss.send(editor.queueName, { schoolId: viaTx.id }, { singletonKey: viaTx.id });
    const settings = `policy, retry_limit, retry_delay, retry_backoff, retry_delay_max, expire_seconds, deletion_seconds, dead_letter,
      heartbeat_seconds, state, priority, round(extract(epoch FROM keep_until - start_after)) AS retention`;
    const { rows } = await database.pool.query(`SELECT id, singleton_key, ${settings} FROM pgboss.job WHERE id = ANY($1::uuid[])`, [[txJob, dbJob, sent]]);
    const byId = new Map(rows.map(({ id, singleton_key, ...rest }) => [id, { singleton_key, rest }]));
    expect(byId.get(txJob)?.singleton_key).toBe(viaTx.id);
    expect(byId.get(dbJob)?.singleton_key).toBe(viaDb.id);
    expect(byId.get(txJob)?.rest).toEqual(byId.get(sent)?.rest);
    expect(byId.get(dbJob)?.rest).toEqual(byId.get(sent)?.rest);
  });

  it('leaves no job behind when the transaction rolls back', async () => {
    const schoolId = randomUUID();
    await expect(
      database.db.transaction(async (tx) => {
        await tx.insert(schools).values({ id: schoolId, name: 'Never Was', creatorId: randomUUID() });
        await app.sync.enqueue(editor, { schoolId, isCreate: true }, { tx });
        throw new Error('the app changed its mind');
      }),
    ).rejects.toThrow('the app changed its mind');
    expect((await jobsRead(database, 'salesforce-sync.school')).filter((job) => job.singleton_key === schoolId)).toEqual([]);
    expect(await database.db.select().from(schools).where(eq(schools.id, schoolId))).toEqual([]);
  });

  it('says what its third argument is when JavaScript leaves it out, before anything commits', async () => {
    const schoolId = randomUUID();
    const attempt = database.db.transaction(async (tx) => {
      await tx.insert(schools).values({ id: schoolId, name: 'No Via', creatorId: randomUUID() });
      await (app.sync.enqueue as (...args: unknown[]) => Promise<unknown>)(editor, { schoolId });
    });
    await expect(attempt).rejects.toThrow(
      'enqueue(Editor__c, payload, via) needs where to write the job, as its third argument: { tx } (your Drizzle transaction, so the job commits with your rows) or { db } (a pg-boss Db).',
    );
    expect(await database.db.select().from(schools).where(eq(schools.id, schoolId))).toEqual([]);
  });

  it('rejects a payload of the wrong shape before anything commits', async () => {
    const schoolId = randomUUID();
    const attempt = database.db.transaction(async (tx) => {
      await tx.insert(schools).values({ id: schoolId, name: 'Half Written', creatorId: randomUUID() });
      await app.sync.enqueue(editor, { schoolId: 'not-a-uuid' } as never, { tx });
    });
    await expect(attempt).rejects.toThrow(PayloadInvalidError);
    await expect(attempt).rejects.toThrow(/schoolId: a uuid such as .*expected \{ "schoolId": string \(uuid\)/);
    expect(await database.db.select().from(schools).where(eq(schools.id, schoolId))).toEqual([]);
  });

  it('enqueues nothing for a student role, and nothing at all while syncing is off', async () => {
    const school = await schoolInsert(database);
    const student = await roleCreate(app, { schoolId: school.id, userId: randomUUID(), role: 'student' });
    const roleJobs = await jobsRead(database, 'salesforce-sync.role');
    expect(roleJobs.filter((job) => job.singleton_key === String(student.id))).toEqual([]);

    const off = { db: database.db, sync: syncEnqueuer(editorObjectSet, { enabled: false }) };
    const quiet = await schoolCreate(off, { name: 'Quiet School', creatorId: randomUUID() });
    expect((await jobsRead(database, 'salesforce-sync.school')).filter((job) => job.singleton_key === quiet.id)).toEqual([]);
  });
});

describe('enqueue from SQL, for a host app in any language', () => {
  it('commits a job with the queue options, and names the queues when given a wrong one', async () => {
    const school = await schoolInsert(database);
    const client = await database.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ id: string }>(`SELECT connect_sync.sync_enqueue('salesforce-sync.school', $1, $2) AS id`, [
        { schoolId: school.id, isCreate: true },
        school.id,
      ]);
      await client.query('COMMIT');
      const job = (await jobsRead(database, 'salesforce-sync.school')).find((candidate) => candidate.id === rows[0]?.id);
      expect(job).toMatchObject({ state: 'created', singleton_key: school.id, data: { schoolId: school.id, isCreate: true } });
      const { rows: options } = await client.query(`SELECT policy, retry_limit, dead_letter FROM pgboss.job WHERE id = $1`, [rows[0]?.id]);
      expect(options[0]).toEqual({ policy: 'singleton', retry_limit: 9, dead_letter: 'salesforce-sync.dead-letter' });

      await expect(client.query(`SELECT connect_sync.sync_enqueue('salesforce-sync.schools', '{}', 'x')`)).rejects.toThrow(
        /salesforce-sync.schools is not a sync queue; expected one of .*salesforce-sync.school,/,
      );
    } finally {
      client.release();
    }
  });

  it('refuses the dead-letter queue and a job without a record key, naming what it accepts', async () => {
    await expect(database.pool.query(`SELECT connect_sync.sync_enqueue('salesforce-sync.dead-letter', '{}', 'x')`)).rejects.toThrow(
      /salesforce-sync.dead-letter is not a sync queue; expected one of .*salesforce-sync.school/,
    );
    for (const key of [null, '']) {
      await expect(database.pool.query(`SELECT connect_sync.sync_enqueue('salesforce-sync.school', '{}', $1)`, [key])).rejects.toThrow(
        /record_key is required for salesforce-sync.school/,
      );
    }
  });
});

describe('a job enqueued from SQL', () => {
  it('wakes a listening worker at commit, with no poll in between', async () => {
    const listening = bossCreate(database, silentLogger, { listen: true, poolSize: 4 });
    await listening.start();
    afterAll(() => listening.stop({ graceful: false, timeout: 1000 }));
    // Polls every 5 minutes: only the NOTIFY can make it fetch within the test.
    await syncWorkStart(listening, database.db, objects, silentLogger, { enabled: true, pollingIntervalSeconds: 300, only: [editor] });
    // The worker's first fetch comes at start; this job shows it has run and gone idle.
    const first = await schoolInsert(database);
    await app.db.transaction((tx) => app.sync.enqueue(editor, { schoolId: first.id, isCreate: true }, { tx }));
    await waitFor('the first school to be written', () => mirrorRowRead(database, editor, first.id));

    const school = await schoolInsert(database);
    const client = await database.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT connect_sync.sync_enqueue('salesforce-sync.school', $1, $2)`, [{ schoolId: school.id, isCreate: true }, school.id]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    await waitFor('the worker to write the school', () => mirrorRowRead(database, editor, school.id), { timeoutMs: 10_000 });
  });
});
