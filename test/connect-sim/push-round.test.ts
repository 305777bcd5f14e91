/**
 * A large push, sent set-wise: 2,000 trigger-log entries mixing new parents, children of parents
 * already in Salesforce, children of parents sent earlier in the same push, children logged before
 * their parent, children of parents that never come, grandchildren of both, and updates of rows
 * inserted in the same push. Each ends exactly as Connect's ordered writes leave it, one entry
 * after another in log order: SYNCED with its sfid and lookup ids, or FAILED for good with
 * Salesforce's message.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { ConnectSim } from '../../src/connect-sim/connect-sim.ts';
import { pushRoundSizeDefault } from '../../src/connect-sim/options.ts';
import { classroom } from '../../src/editor/objects/classroom.ts';
import { editor } from '../../src/editor/objects/editor.ts';
import { testDatabase } from '../support/database.ts';
import { editorObjectSet } from '../support/editor.ts';

const database = await testDatabase();
const sim = new ConnectSim(database, editorObjectSet, { timers: false });
afterAll(() => sim.stop());

type Table = 'editor__c' | 'classroom__c' | 'lesson__c';
interface Write { table: Table; key: string; parent?: string; update?: true }

const missing = (parent: typeof editor | typeof classroom, key: string) =>
  JSON.stringify({ message: `Foreign key external ID: ${key} not found for field ${parent.externalIdField} in entity ${parent.name}`, errorCode: 'INVALID_FIELD' });

const keys = (count: number) => Array.from({ length: count }, () => randomUUID());

// A fixed shuffle, so a failure repeats.
function shuffled<T>(items: T[], seed = 16): T[] {
  const result = [...items];
  let state = seed;
  for (let i = result.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [result[i], result[j]] = [result[j]!, result[i]!];
  }
  return result;
}

async function writesApply(writes: Write[]): Promise<void> {
  const client = await database.pool.connect();
  try {
    await client.query('BEGIN');
    for (const { table, key, parent, update } of writes) {
      if (table === 'editor__c' && update) await client.query(`UPDATE salesforce.editor__c SET name = 'Renamed ' || editoruuid__c WHERE editoruuid__c = $1`, [key]);
      else if (table === 'editor__c') await client.query(`INSERT INTO salesforce.editor__c (editoruuid__c, name) VALUES ($1, 'A school')`, [key]);
      else if (table === 'classroom__c') await client.query(`INSERT INTO salesforce.classroom__c (classroomuuid__c, editor__r__editoruuid__c) VALUES ($1, $2)`, [key, parent]);
      else await client.query(`INSERT INTO salesforce.lesson__c (lesson_uuid__c, classroom__r__classroomuuid__c) VALUES ($1, $2)`, [key, parent]);
    }
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}

interface MirrorRow { key: string; parent: string | null; parent_sfid: string | null; sfid: string | null; _hc_lastop: string; _hc_err: string | null }

async function mirrorRows(table: Table): Promise<Map<string, MirrorRow>> {
  const [key, parent, parentSfid] = {
    editor__c: ['editoruuid__c', 'NULL', 'NULL'],
    classroom__c: ['classroomuuid__c', 'editor__r__editoruuid__c', 'editor__c'],
    lesson__c: ['lesson_uuid__c', 'classroom__r__classroomuuid__c', 'classroom__c'],
  }[table];
  const { rows } = await database.pool.query<MirrorRow>(
    `SELECT ${key} AS key, ${parent} AS parent, ${parentSfid} AS parent_sfid, sfid, _hc_lastop, _hc_err FROM salesforce.${table}`,
  );
  return new Map(rows.map((row) => [row.key, row]));
}

describe('a large push, set-wise', () => {
  it('leaves 2,000 mixed entries SYNCED or FAILED exactly as ordered writes do, each with its sfid', { timeout: 180_000 }, async () => {
    const inOrg = keys(300);
    await writesApply(inOrg.map((key) => ({ table: 'editor__c', key })));
    expect(await sim.drain()).toMatchObject({ pushed: 300, failed: 0, synced: 300 });

    const fresh = keys(400);
    const never = keys(250);
    const early = keys(250).map((key, i) => ({ key, parent: fresh[i % fresh.length]! }));
    const ofOrg = keys(300).map((key, i) => ({ key, parent: inOrg[i]! }));
    const ofFresh = keys(300).map((key, i) => ({ key, parent: fresh[(i + 100) % fresh.length]! }));
    const orphans = keys(250).map((key, i) => ({ key, parent: never[i]! }));
    const lessonsOfFresh = keys(200).map((key, i) => ({ key, parent: ofFresh[i]!.key }));
    const lessonsOfEarly = keys(200).map((key, i) => ({ key, parent: early[i]!.key }));
    const renamed = fresh.slice(0, 100);
    const writes: Write[] = [
      // Children logged before their parents: the parents come later in the same push.
      ...shuffled(early.map((row): Write => ({ table: 'classroom__c', ...row }))),
      ...shuffled([...fresh.map((key): Write => ({ table: 'editor__c', key })), ...ofOrg.map((row): Write => ({ table: 'classroom__c', ...row }))]),
      ...shuffled([
        ...ofFresh.map((row): Write => ({ table: 'classroom__c', ...row })),
        ...orphans.map((row): Write => ({ table: 'classroom__c', ...row })),
        ...renamed.map((key): Write => ({ table: 'editor__c', key, update: true })),
      ]),
      ...shuffled([...lessonsOfFresh, ...lessonsOfEarly].map((row): Write => ({ table: 'lesson__c', ...row }))),
    ];
    expect(writes).toHaveLength(2000);
    expect(writes.length).toBeGreaterThan(pushRoundSizeDefault); // more than one round: parents in one, children in the next
    await writesApply(writes);

    expect(await sim.drain()).toMatchObject({ pushed: 400 + 300 + 300 + 100 + 200, failed: 250 + 250 + 200 });

    const editors = await mirrorRows('editor__c');
    const classrooms = await mirrorRows('classroom__c');
    const lessons = await mirrorRows('lesson__c');
    const synced = (rows: Map<string, MirrorRow>, expected: { key: string; parent?: string }[], parents?: Map<string, MirrorRow>) => {
      for (const { key, parent } of expected) {
        const row = rows.get(key)!;
        expect(row, key).toMatchObject({ _hc_lastop: 'SYNCED', _hc_err: null });
        expect(row.sfid, key).toMatch(/^a0[0-9A-Za-z]{16}$/);
        if (parent) expect(row.parent_sfid, key).toBe(parents!.get(parent)!.sfid);
      }
    };
    const failed = (rows: Map<string, MirrorRow>, expected: { key: string; parent: string }[], parent: typeof editor | typeof classroom) => {
      for (const { key, parent: parentKey } of expected) {
        expect(rows.get(key), key).toMatchObject({ _hc_lastop: 'FAILED', _hc_err: missing(parent, parentKey), sfid: null, parent_sfid: null });
      }
    };
    synced(editors, [...inOrg, ...fresh].map((key) => ({ key })));
    synced(classrooms, [...ofOrg, ...ofFresh], editors);
    synced(lessons, lessonsOfFresh, classrooms);
    failed(classrooms, [...early, ...orphans], editor);
    failed(lessons, lessonsOfEarly, classroom);

    // One org record per SYNCED row, under its sfid; a renamed school's record carries the new name.
    const { rows: records } = await database.pool.query<{ id: string; object_name: string; external_id: string; name: string | null }>(
      `SELECT id, object_name, external_id, fields ->> 'name' AS name FROM connect_sim_org.record WHERE object_name <> 'Contact'`,
    );
    expect(records).toHaveLength(700 + 600 + 200);
    const byId = new Map(records.map((record) => [record.id, record]));
    for (const [table, rows] of [['Editor__c', editors], ['Classroom__c', classrooms], ['Lesson__c', lessons]] as const) {
      for (const row of rows.values()) {
        if (row.sfid) expect(byId.get(row.sfid), row.key).toMatchObject({ object_name: table, external_id: row.key });
      }
    }
    for (const key of renamed) expect(byId.get(editors.get(key)!.sfid!)?.name).toBe(`Renamed ${key}`);

    const { rows: log } = await database.pool.query<{ state: string; n: number }>(
      `SELECT state, count(*)::int AS n FROM salesforce._trigger_log GROUP BY state
       UNION ALL SELECT 'archived ' || state, count(*)::int FROM salesforce._trigger_log_archive GROUP BY state ORDER BY 1`,
    );
    expect(log).toEqual([
      { state: 'FAILED', n: 700 },
      { state: 'archived SUCCESS', n: 300 + 1300 },
    ]);

    // Connect never retries: the parents of the failed rows are all in Salesforce now, and they stay FAILED.
    await writesApply(never.map((key) => ({ table: 'editor__c', key })));
    expect(await sim.drain()).toMatchObject({ pushed: 250, failed: 0 });
    failed(await mirrorRows('classroom__c'), [...early, ...orphans], editor);
    failed(await mirrorRows('lesson__c'), lessonsOfEarly, classroom);
  });
});
