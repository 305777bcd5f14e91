/**
 * A database in the state the original investigation found, written set-wise: the mirror rows as
 * Heroku Connect left them (written in a Connect session, so the stand-in's triggers neither mark
 * them PENDING nor log them), the app's schools and roles, and healthy schools around them.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '../../src/db/database.ts';
import { poolTransaction } from '../../src/db/pool-transaction.ts';
import { fakeSfid } from '../support/records.ts';

/** The seed's counts: 1,114 = 1,098 rejected + 9 + 1 + 3 + 3. */
export const evidenceCounts = {
  rejected: 1098,
  noAffiliationRow: 9,
  failedOnEditor: 1,
  failedOnContact: 3,
  noStaffRoles: 3,
} as const;

/** Ids of what was seeded, by class. */
export type EvidenceSeeded = Record<keyof typeof evidenceCounts | 'healthy', string[]> & {
  /** Roles with no affiliation row (of the noAffiliationRow schools). */
  rolesWithoutRow: string[];
  /** The affiliation ids of FAILED rows whose parents are now synced. */
  failedRecoverableRoles: string[];
};

interface SchoolSeed {
  id: string;
  rejected: boolean;
  staff: number;
  students: number;
  affiliation: 'synced' | 'none' | 'failedOnEditor' | 'failedOnContact';
}

const editorError = (uuid: string) =>
  JSON.stringify({ message: `Foreign key external ID: ${uuid} not found for field EditorUUID__c in entity Editor__c`, errorCode: 'INVALID_FIELD' });
const contactError = (uuid: string) =>
  JSON.stringify({ message: `Foreign key external ID: ${uuid} not found for field Pi_Accounts_Unique_ID__c in entity Contact`, errorCode: 'INVALID_FIELD' });

/** Seeds the evidence plus `healthy` schools with a synced affiliation. */
export async function evidenceSeed(database: Database, options: { healthy?: number } = {}): Promise<EvidenceSeeded> {
  const seeds: (SchoolSeed & { group: keyof EvidenceSeeded })[] = [];
  const add = (group: keyof EvidenceSeeded, count: number, seed: Omit<SchoolSeed, 'id'>) => {
    for (let index = 0; index < count; index += 1) seeds.push({ id: randomUUID(), group, ...seed });
  };
  // Rejected schools may still have an owner role: their affiliation is not synced by design.
  add('rejected', evidenceCounts.rejected, { rejected: true, staff: 1, students: 0, affiliation: 'none' });
  add('noAffiliationRow', evidenceCounts.noAffiliationRow, { rejected: false, staff: 2, students: 1, affiliation: 'none' });
  add('failedOnEditor', evidenceCounts.failedOnEditor, { rejected: false, staff: 1, students: 0, affiliation: 'failedOnEditor' });
  add('failedOnContact', evidenceCounts.failedOnContact, { rejected: false, staff: 1, students: 0, affiliation: 'failedOnContact' });
  add('noStaffRoles', 2, { rejected: false, staff: 0, students: 2, affiliation: 'none' });
  add('noStaffRoles', 1, { rejected: false, staff: 0, students: 0, affiliation: 'none' });
  add('healthy', options.healthy ?? 20, { rejected: false, staff: 2, students: 1, affiliation: 'synced' });

  const seeded: EvidenceSeeded = {
    rejected: [],
    noAffiliationRow: [],
    failedOnEditor: [],
    failedOnContact: [],
    noStaffRoles: [],
    healthy: [],
    rolesWithoutRow: [],
    failedRecoverableRoles: [],
  };
  await poolTransaction(database.pool, async (client) => {
    await client.query(
      `INSERT INTO schools (id, name, creator_id, rejected_at, verified_at)
       SELECT s.id, 'School ' || left(s.id::text, 8), gen_random_uuid(), CASE WHEN s.rejected THEN now() END, CASE WHEN NOT s.rejected THEN now() END
         FROM jsonb_to_recordset($1::jsonb) AS s(id uuid, rejected boolean)`,
      [JSON.stringify(seeds.map(({ id, rejected }) => ({ id, rejected })))],
    );
    const roleRows: { schoolId: string; role: string; userId: string; affiliation: SchoolSeed['affiliation']; group: string }[] = [];
    for (const seed of seeds) {
      for (let index = 0; index < seed.staff; index += 1) roleRows.push({ schoolId: seed.id, role: index === 0 ? 'owner' : 'teacher', userId: randomUUID(), affiliation: seed.affiliation, group: seed.group });
      for (let index = 0; index < seed.students; index += 1) roleRows.push({ schoolId: seed.id, role: 'student', userId: randomUUID(), affiliation: 'none', group: seed.group });
    }
    const { rows: roles } = await client.query<{ id: string; school_id: string; user_id: string; role: string }>(
      `INSERT INTO roles (school_id, role, user_id)
       SELECT r.school_id, r.role::role_name, r.user_id FROM jsonb_to_recordset($1::jsonb) AS r(school_id uuid, role text, user_id uuid)
       RETURNING id::text, school_id::text, user_id::text, role::text`,
      [JSON.stringify(roleRows.map((row) => ({ school_id: row.schoolId, role: row.role, user_id: row.userId })))],
    );
    // From here on the writes are Connect's own: kept as given, not logged.
    await client.query(`SET LOCAL xmlbinary = 'hex'`);
    await client.query(
      `INSERT INTO salesforce.editor__c (editoruuid__c, name, sfid, _hc_lastop, rejectedat__c)
       SELECT e.id, 'School', e.sfid, 'SYNCED', CASE WHEN e.rejected THEN now() END FROM jsonb_to_recordset($1::jsonb) AS e(id text, sfid text, rejected boolean)`,
      [JSON.stringify(seeds.map(({ id, rejected }) => ({ id, rejected, sfid: fakeSfid() })))],
    );
    const byUser = new Map(roleRows.map((row) => [row.userId, row]));
    const contacts: { id: string; sfid: string }[] = [];
    const affiliations: { id: string; school: string; contact: string; sfid: string | null; lastop: string; err: string | null }[] = [];
    for (const role of roles) {
      const seed = byUser.get(role.user_id)!;
      if (seed.affiliation !== 'failedOnContact') contacts.push({ id: role.user_id, sfid: fakeSfid() });
      if (role.role === 'student') continue;
      const base = { id: role.id, school: role.school_id, contact: role.user_id };
      if (seed.affiliation === 'synced') affiliations.push({ ...base, sfid: fakeSfid(), lastop: 'SYNCED', err: null });
      if (seed.affiliation === 'failedOnEditor') {
        affiliations.push({ ...base, sfid: null, lastop: 'FAILED', err: editorError(role.school_id) });
        seeded.failedRecoverableRoles.push(role.id);
      }
      if (seed.affiliation === 'failedOnContact') affiliations.push({ ...base, sfid: null, lastop: 'FAILED', err: contactError(role.user_id) });
      if (seed.affiliation === 'none' && seed.group === 'noAffiliationRow') seeded.rolesWithoutRow.push(role.id);
    }
    await client.query(
      `INSERT INTO salesforce.contact (pi_accounts_unique_id__c, sfid, _hc_lastop)
       SELECT c.id, c.sfid, 'SYNCED' FROM jsonb_to_recordset($1::jsonb) AS c(id text, sfid text)`,
      [JSON.stringify(contacts)],
    );
    await client.query(
      `INSERT INTO salesforce.contact_editor_affiliation__c (affiliation_id__c, editor__r__editoruuid__c, contact__r__pi_accounts_unique_id__c, roletype__c, sfid, _hc_lastop, _hc_err)
       SELECT a.id, a.school, a.contact, 'owner', a.sfid, a.lastop, a.err FROM jsonb_to_recordset($1::jsonb) AS a(id text, school text, contact text, sfid text, lastop text, err text)`,
      [JSON.stringify(affiliations)],
    );
  });
  for (const seed of seeds) seeded[seed.group].push(seed.id);
  return seeded;
}
