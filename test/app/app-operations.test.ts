/**
 * The app's operations write their rows and enqueue the right sync jobs in one transaction; run
 * through the worker, archiving a school offboards its staff in Salesforce.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { roleArchive, roleUpdate } from '../../src/editor/operations/roles.ts';
import { schoolArchive, schoolCreate, schoolUpdate } from '../../src/editor/operations/schools.ts';
import { contactEditorAffiliation } from '../../src/editor/objects/contact-editor-affiliation.ts';
import { contact } from '../../src/editor/objects/contact.ts';
import { editor } from '../../src/editor/objects/editor.ts';
import { jobsRead } from '../support/queue.ts';
import { mirrorRowInsert, mirrorRowRead, mirrorRowSync } from '../support/records.ts';
import { testSyncWorker } from '../support/sync-worker.ts';
import { waitFor } from '../support/wait.ts';

const { database, app } = await testSyncWorker({ timeScale: 0.001 });

async function roleJobs(roleId: number) {
  return (await jobsRead(database, contactEditorAffiliation.queueName)).filter((job) => job.singleton_key === String(roleId));
}

describe('a school and its first members, created in one transaction', () => {
  it('enqueues the school, contact and staff role jobs, none for students, and syncs them once parents land', async () => {
    const ownerId = randomUUID();
    const teacherId = randomUUID();
    const school = await schoolCreate(app, { name: 'Gurnard Primary', creatorId: ownerId }, [
      { userId: ownerId, role: 'owner' },
      { userId: teacherId, role: 'teacher' },
      { userId: randomUUID(), role: 'student' },
    ]);
    const { rows: members } = await database.pool.query<{ id: number; role: string }>(
      'SELECT id::int, role FROM roles WHERE school_id = $1 ORDER BY id',
      [school.id],
    );
    expect(members.map((member) => member.role)).toEqual(['owner', 'teacher', 'student']);
    for (const member of members) expect(await roleJobs(member.id)).toHaveLength(member.role === 'student' ? 0 : 1);

    // The Editor__c lands from the school job; Connect gives it an sfid; the Contacts arrive upstream.
    await waitFor('the Editor__c row', () => mirrorRowRead(database, editor, school.id));
    await mirrorRowSync(database, editor, school.id);
    await mirrorRowInsert(database, contact, ownerId, { synced: true });
    await mirrorRowInsert(database, contact, teacherId, { synced: true });
    for (const member of members.filter((m) => m.role !== 'student')) {
      await waitFor(`affiliation ${member.id}`, () => mirrorRowRead(database, contactEditorAffiliation, String(member.id)), { timeoutMs: 25_000 });
    }
  });
});

describe('archiving a school', () => {
  it('archives its staff roles (not students) and syncs each as offboarded', async () => {
    const ownerId = randomUUID();
    const school = await schoolCreate(app, { name: 'Thornton Academy', creatorId: ownerId }, [
      { userId: ownerId, role: 'owner' },
      { userId: randomUUID(), role: 'student' },
    ]);
    await mirrorRowInsert(database, contact, ownerId, { synced: true });
    await waitFor('the Editor__c row', () => mirrorRowRead(database, editor, school.id));
    await mirrorRowSync(database, editor, school.id);

    await schoolArchive(app, school.id);
    const { rows } = await database.pool.query<{ id: number; role: string; archived: boolean }>(
      'SELECT id::int, role, archived_at IS NOT NULL AS archived FROM roles WHERE school_id = $1 ORDER BY id',
      [school.id],
    );
    expect(rows.map(({ role, archived }) => ({ role, archived }))).toEqual([
      { role: 'owner', archived: true },
      { role: 'student', archived: false },
    ]);
    const ownerRole = rows[0]!.id;
    const affiliation = await waitFor('the offboarded affiliation', async () => {
      const row = await mirrorRowRead(database, contactEditorAffiliation, String(ownerRole));
      return row?.offboardedat__c ? row : undefined;
    }, { timeoutMs: 25_000 });
    expect(affiliation.roletype__c).toBe('owner');
    expect((await mirrorRowRead(database, editor, school.id))?.discardedat__c).not.toBeNull();
  });
});

describe('school and role updates', () => {
  it('enqueue the matching jobs: school and contact for a school, the affiliation for a staff role', async () => {
    const ownerId = randomUUID();
    const school = await schoolCreate(app, { name: 'Ryde High', creatorId: ownerId }, [{ userId: ownerId, role: 'teacher' }]);
    await schoolUpdate(app, school.id, { verifiedAt: new Date() });
    const schoolJobs = (await jobsRead(database, editor.queueName)).filter((job) => job.singleton_key === school.id);
    expect(schoolJobs.map((job) => job.data)).toEqual([
      { schoolId: school.id, isCreate: true },
      { schoolId: school.id, isCreate: false },
    ]);
    expect((await jobsRead(database, contact.queueName)).filter((job) => job.singleton_key === school.id)).toHaveLength(2);

    const { rows } = await database.pool.query<{ id: number }>('SELECT id::int FROM roles WHERE school_id = $1', [school.id]);
    const roleId = rows[0]!.id;
    await roleUpdate(app, roleId, { role: 'owner' });
    await roleArchive(app, roleId);
    expect(await roleJobs(roleId)).toHaveLength(3);
  });
});
