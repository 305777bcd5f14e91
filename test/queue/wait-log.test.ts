/**
 * Quiet by default: a batch of jobs waiting on a parent says so in one info line, not one per
 * job; each wait is at debug. Later waits are counted into the next line, at most one a minute.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { contactEditorAffiliation } from '../../src/editor/objects/contact-editor-affiliation.ts';
import { contact } from '../../src/editor/objects/contact.ts';
import { WaitTally } from '../../src/queue/wait-tally.ts';
import { logCapture } from '../support/log.ts';
import { mirrorRowInsert, roleInsert, schoolInsert } from '../support/records.ts';
import { testSyncWorker } from '../support/sync-worker.ts';
import { waitFor } from '../support/wait.ts';

const captured = logCapture('info');
const { database, sync } = await testSyncWorker({ timeScale: 1, log: captured.log });

describe('jobs waiting on a parent, at the info level', () => {
  it('log one line for a batch of 60 waits, not one per job', async () => {
    // A school with no Editor__c row: every role's job waits on it.
    const school = await schoolInsert(database);
    const roles: Awaited<ReturnType<typeof roleInsert>>[] = [];
    for (let i = 0; i < 60; i++) {
      const role = await roleInsert(database, { schoolId: school.id });
      await mirrorRowInsert(database, contact, role.userId, { synced: true });
      roles.push(role);
    }
    await database.db.transaction(async (tx) => {
      for (const role of roles) await sync.enqueue(contactEditorAffiliation, { roleId: role.id }, { tx });
    });
    await waitFor('all 60 to wait', async () => {
      const { rows } = await database.db.execute<{ count: number }>(sql`SELECT count(*)::int AS count FROM connect_sync.parent_wait`);
      return rows[0]!.count === 60;
    });

    const waitLines = captured.lines.filter((line) => /wait/i.test(line.msg));
    expect(waitLines).toHaveLength(1);
    expect(waitLines[0]).toMatchObject({ level: 30, byParent: { Editor__c: expect.any(Number) } });
    expect(waitLines[0]!.msg).toMatch(/^\d+ job\(s\) waited for a parent in the last \d+ s \(\d+ on Editor__c\)$/);
  });

  it('counts the waits since the last line into the next, at most once per interval', () => {
    const tallied = logCapture('info');
    let now = 0;
    const tally = new WaitTally(tallied.log, { intervalSeconds: 60, now: () => now });
    tally.add(['Editor__c', 'Editor__c', 'Contact']);
    for (let second = 1; second < 60; second++) {
      now = second * 1000;
      tally.add(['Editor__c']);
    }
    now = 60_000;
    tally.add(['Contact']);
    expect(tallied.lines.map((line) => line.msg)).toEqual([
      '3 job(s) waited for a parent in the last 1 s (1 on Contact, 2 on Editor__c)',
      '60 job(s) waited for a parent in the last 60 s (1 on Contact, 59 on Editor__c)',
    ]);
  });
});
