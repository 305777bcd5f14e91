/**
 * The seed's broken states, made the way production made them: through the Connect stand-in.
 * An affiliation row written before its Editor__c was in Salesforce fails for good; one whose
 * Contact never comes fails for good; a role or a school whose job was lost has no row at all.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import type { ConnectSim } from '../../src/connect-sim/connect-sim.ts';
import type { Database } from '../../src/db/database.ts';
import { contactEditorAffiliation } from '../../src/editor/objects/contact-editor-affiliation.ts';
import { editor } from '../../src/editor/objects/editor.ts';
import { mirrorRowInsert, mirrorRowRead, roleInsert, schoolInsert } from '../support/records.ts';

/** The records of each broken state. */
export interface BrokenStates {
  /** Affiliation FAILED on the Editor__c lookup; the Editor__c has since been pushed. */
  failedOnEditor: { schoolId: string; roleId: string };
  /** Affiliation FAILED on the Contact lookup; the Contact never comes. */
  failedOnContact: { schoolId: string; roleId: string };
  /** Staff roles with no affiliation row and no job. */
  noAffiliationRow: { schoolId: string; roleIds: string[] };
  /** A school with no Editor__c row and a staff role with no affiliation row, no jobs. */
  noEditorRow: { schoolId: string; roleId: string };
}

async function affiliationWriteUnguarded(database: Database, role: { id: number; schoolId: string; userId: string }): Promise<void> {
  // As the app did before the parent guard: the child written at once, whatever its parents' state.
  await mirrorRowInsert(database, contactEditorAffiliation, String(role.id), {
    synced: false,
    values: { editor__r__editoruuid__c: role.schoolId, contact__r__pi_accounts_unique_id__c: role.userId, roletype__c: 'owner' },
  });
}

/** Builds the four broken states through `sim` and checks Connect left them as production did. */
export async function brokenStatesBuild(database: Database, sim: ConnectSim): Promise<BrokenStates> {
  // The race: the role's row reaches Connect before its school's Editor__c.
  const raced = await schoolInsert(database);
  const racedRole = await roleInsert(database, { schoolId: raced.id, role: 'owner' });
  sim.contacts.schedule(racedRole.userId, { lagSeconds: 0 });
  await affiliationWriteUnguarded(database, racedRole);
  await sim.drain();
  await mirrorRowInsert(database, editor, raced.id, { synced: false });

  // The upstream gap: a Contact that never comes.
  const orphan = await schoolInsert(database);
  const orphanRole = await roleInsert(database, { schoolId: orphan.id, role: 'owner', userId: randomUUID() });
  sim.contacts.never(orphanRole.userId);
  await mirrorRowInsert(database, editor, orphan.id, { synced: false });

  // Lost jobs: parents in Salesforce, no affiliation rows.
  const lost = await schoolInsert(database);
  const lostRoles = [await roleInsert(database, { schoolId: lost.id, role: 'owner' }), await roleInsert(database, { schoolId: lost.id, role: 'teacher' })];
  await roleInsert(database, { schoolId: lost.id, role: 'student' });
  for (const role of lostRoles) sim.contacts.schedule(role.userId, { lagSeconds: 0 });
  await mirrorRowInsert(database, editor, lost.id, { synced: false });

  // A school whose own job was lost, and its teacher's.
  const unsynced = await schoolInsert(database);
  const unsyncedRole = await roleInsert(database, { schoolId: unsynced.id, role: 'teacher' });
  sim.contacts.schedule(unsyncedRole.userId, { lagSeconds: 0 });

  await sim.drain();
  await affiliationWriteUnguarded(database, orphanRole);
  await sim.drain();

  const racedRow = await mirrorRowRead(database, contactEditorAffiliation, String(racedRole.id));
  expect(racedRow).toMatchObject({ _hc_lastop: 'FAILED', sfid: null });
  expect(racedRow?._hc_err).toContain('not found for field EditorUUID__c in entity Editor__c');
  expect((await mirrorRowRead(database, editor, raced.id))?.sfid).toEqual(expect.any(String));
  const orphanRow = await mirrorRowRead(database, contactEditorAffiliation, String(orphanRole.id));
  expect(orphanRow?._hc_err).toContain('not found for field Pi_Accounts_Unique_ID__c in entity Contact');

  return {
    failedOnEditor: { schoolId: raced.id, roleId: String(racedRole.id) },
    failedOnContact: { schoolId: orphan.id, roleId: String(orphanRole.id) },
    noAffiliationRow: { schoolId: lost.id, roleIds: lostRoles.map((role) => String(role.id)) },
    noEditorRow: { schoolId: unsynced.id, roleId: String(unsyncedRole.id) },
  };
}

/** Role ids whose affiliation a repair must bring into Salesforce. */
export function recoverableRoleIds(states: BrokenStates): string[] {
  return [states.failedOnEditor.roleId, ...states.noAffiliationRow.roleIds, states.noEditorRow.roleId];
}

/** Whether every one of `roleIds` has an affiliation row Salesforce accepted, pushing as it goes. */
export async function affiliationsInSalesforce(database: Database, sim: ConnectSim, roleIds: readonly string[]): Promise<boolean> {
  await sim.drain();
  const { rows } = await database.db.execute<{ count: number }>(
    sql`SELECT count(*)::int AS count FROM salesforce.contact_editor_affiliation__c
        WHERE affiliation_id__c = ANY(${sql.param(roleIds)}::text[]) AND sfid IS NOT NULL AND _hc_lastop IN ('INSERTED', 'SYNCED')`,
  );
  return rows[0]?.count === roleIds.length;
}
