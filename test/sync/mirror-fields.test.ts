/**
 * What each object's sync writes, run inline (no queue): every mapped field, truncation,
 * Status__c only on create, and the records that are not synced. Classes, class teachers and
 * lessons: test/editor/class-mirror-fields.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contactEditorAffiliation } from '../../src/editor/objects/contact-editor-affiliation.ts';
import { contact } from '../../src/editor/objects/contact.ts';
import { editor } from '../../src/editor/objects/editor.ts';
import { syncBatch, syncOffReason } from '../../src/sync/sync-batch.ts';
import { testDatabase } from '../support/database.ts';
import { mirrorTime, syncOneOn } from '../support/sync-inline.ts';
import { mirrorRowInsert, mirrorRowRead, roleInsert, schoolInsert } from '../support/records.ts';
import { editorObjectSet } from '../support/editor.ts';

const database = await testDatabase();

const syncOne = syncOneOn(database);

const at = (iso: string) => new Date(iso);

describe('Editor__c from a school', () => {
  const fullSchool = {
    name: 'Gurnard Primary School',
    website: 'https://gurnard.example',
    addressLine1: '1 Church Road',
    addressLine2: 'Gurnard',
    municipality: 'Cowes',
    administrativeArea: 'Isle of Wight',
    postalCode: 'PO31 8JN',
    countryCode: 'GB',
    reference: 'URN-118',
    districtName: 'Isle of Wight Council',
    districtNcesId: '0123456',
    schoolRollNumber: 'RN-42',
    creatorId: randomUUID(),
    userOrigin: 'experience_cs' as const,
    verifiedAt: at('2026-06-01T09:00:00Z'),
    archivedAt: at('2026-06-03T10:00:00Z'),
    createdAt: at('2026-05-30T08:00:00Z'),
    updatedAt: at('2026-06-03T10:00:00Z'),
  };

  it('writes every mapped field, with Status__c New on create', async () => {
    const school = await schoolInsert(database, fullSchool);
    expect(await syncOne(editor, { schoolId: school.id, isCreate: true })).toEqual({ status: 'written', recordId: school.id });
    const row = await mirrorRowRead(database, editor, school.id);
    expect(row).toMatchObject({
      editoruuid__c: school.id,
      name: 'Gurnard Primary School',
      editorreference__c: 'URN-118',
      addressline1__c: '1 Church Road',
      addressline2__c: 'Gurnard',
      editormunicipality__c: 'Cowes',
      editoradministrativearea__c: 'Isle of Wight',
      editortype__c: 'experience_cs',
      postcode__c: 'PO31 8JN',
      countrycode__c: 'GB',
      verifiedat__c: mirrorTime('2026-06-01T09:00:00Z'),
      createdat__c: mirrorTime('2026-05-30T08:00:00Z'),
      updatedat__c: mirrorTime('2026-06-03T10:00:00Z'),
      rejectedat__c: null,
      website__c: 'https://gurnard.example',
      districtnamesupplied__c: 'Isle of Wight Council',
      ncesid__c: '0123456',
      schoolrollnumber__c: 'RN-42',
      discardedat__c: mirrorTime('2026-06-03T10:00:00Z'),
      status__c: 'New',
      sfid: null,
    });
  });

  it('defaults EditorType__c to for_education and leaves Status__c alone on update', async () => {
    const school = await schoolInsert(database, { name: 'Thornton Academy' });
    await syncOne(editor, { schoolId: school.id });
    expect((await mirrorRowRead(database, editor, school.id))?.status__c).toBeNull();
    expect((await mirrorRowRead(database, editor, school.id))?.editortype__c).toBe('for_education');

    const created = await schoolInsert(database, { name: 'Ryde High' });
    await syncOne(editor, { schoolId: created.id, isCreate: true });
    await database.pool.query(`UPDATE schools SET name = 'Ryde High School' WHERE id = $1`, [created.id]);
    await syncOne(editor, { schoolId: created.id, isCreate: false });
    expect(await mirrorRowRead(database, editor, created.id)).toMatchObject({ name: 'Ryde High School', status__c: 'New' });
  });

  it('cuts a string to its column length, ending in …', async () => {
    const school = await schoolInsert(database, { name: 'x'.repeat(300), postalCode: 'P'.repeat(41) });
    await syncOne(editor, { schoolId: school.id, isCreate: true });
    const row = await mirrorRowRead(database, editor, school.id);
    expect(row?.name).toBe(`${'x'.repeat(254)}…`);
    expect(row?.postcode__c).toBe(`${'P'.repeat(39)}…`);
  });
});

describe('Contact_Editor_Affiliation__c from a role', () => {
  it('writes every mapped field once both parents are in Salesforce, archived roles included', async () => {
    const school = await schoolInsert(database, { userOrigin: 'experience_cs' });
    const role = await roleInsert(database, {
      schoolId: school.id,
      role: 'owner',
      archivedAt: at('2026-06-05T12:00:00Z'),
      createdAt: at('2026-06-01T12:00:00Z'),
      updatedAt: at('2026-06-05T12:00:00Z'),
    });
    await mirrorRowInsert(database, editor, school.id, { synced: true });
    await mirrorRowInsert(database, contact, role.userId, { synced: true });
    expect(await syncOne(contactEditorAffiliation, { roleId: role.id })).toMatchObject({ status: 'written' });
    expect(await mirrorRowRead(database, contactEditorAffiliation, String(role.id))).toMatchObject({
      affiliation_id__c: String(role.id),
      contact__r__pi_accounts_unique_id__c: role.userId,
      editor__r__editoruuid__c: school.id,
      roletype__c: 'owner',
      offboardedat__c: mirrorTime('2026-06-05T12:00:00Z'),
      createdat__c: mirrorTime('2026-06-01T12:00:00Z'),
      updatedat__c: mirrorTime('2026-06-05T12:00:00Z'),
      editor_type__c: 'experience_cs',
    });
  });

  it('accepts a role id sent as a string of digits', async () => {
    const school = await schoolInsert(database);
    const role = await roleInsert(database, { schoolId: school.id });
    await mirrorRowInsert(database, editor, school.id, { synced: true });
    await mirrorRowInsert(database, contact, role.userId, { synced: true });
    expect(await syncOne(contactEditorAffiliation, { roleId: String(role.id) })).toMatchObject({ status: 'written' });
  });

  it('writes nothing for a student role', async () => {
    const school = await schoolInsert(database);
    const role = await roleInsert(database, { schoolId: school.id, role: 'student' });
    await mirrorRowInsert(database, editor, school.id, { synced: true });
    await mirrorRowInsert(database, contact, role.userId, { synced: true });
    expect(await syncOne(contactEditorAffiliation, { roleId: role.id })).toEqual({
      status: 'skipped',
      recordId: String(role.id),
      reason: 'student roles are not synced',
    });
    expect(await mirrorRowRead(database, contactEditorAffiliation, String(role.id))).toBeUndefined();
  });
});

describe('Contact consent from a school', () => {
  it('updates the consent of the Contact that exists and never creates one', async () => {
    const school = await schoolInsert(database, { creatorAgreeToUxContact: true });
    expect(await syncOne(contact, { schoolId: school.id })).toMatchObject({
      status: 'waiting',
      error: expect.objectContaining({ message: `Contact not yet synced for pi_accounts_unique_id__c: ${school.creatorId}` }),
    });
    expect(await mirrorRowRead(database, contact, school.creatorId)).toBeUndefined();

    await mirrorRowInsert(database, contact, school.creatorId, { synced: true, values: { lastname: 'Speirs' } });
    expect(await syncOne(contact, { schoolId: school.id })).toMatchObject({ status: 'written' });
    expect(await mirrorRowRead(database, contact, school.creatorId)).toMatchObject({ editor_consent_to_ux_contact__c: true, lastname: 'Speirs' });
  });
});

describe('jobs that cannot be synced', () => {
  it('rejects a payload of the wrong shape and a record that does not exist, saying which', async () => {
    expect(await syncOne(editor, { schoolID: 'x' })).toMatchObject({
      status: 'rejected',
      error: expect.objectContaining({ message: expect.stringMatching(/^Invalid payload for salesforce-sync.school .*expected \{ "schoolId": string/) }),
    });
    const missing = randomUUID();
    expect(await syncOne(editor, { schoolId: missing })).toMatchObject({
      status: 'rejected',
      recordId: missing,
      error: expect.objectContaining({ name: 'RecordNotFoundError', message: `School ${missing} does not exist, so there is nothing to sync to Editor__c` }),
    });
  });

  it('accepts any uuid Postgres accepts, in either case, as the same record', async () => {
    // md5()::uuid and similar ids carry no RFC version; Postgres takes them, so must we.
    const { rows } = await database.pool.query<{ id: string }>(`SELECT md5('gurnard')::uuid::text AS id`);
    const school = await schoolInsert(database, { id: rows[0]!.id });
    expect(await syncOne(editor, { schoolId: school.id.toUpperCase() })).toEqual({ status: 'written', recordId: school.id });
  });

  it('discards every job while syncing is off, writing nothing', async () => {
    const school = await schoolInsert(database);
    const outcomes = await syncBatch(database.db, editorObjectSet, editor, [{ id: 'job-1', data: { schoolId: school.id } }], { enabled: false });
    expect(outcomes.get('job-1')).toEqual({ status: 'discarded', reason: syncOffReason });
    expect(await mirrorRowRead(database, editor, school.id)).toBeUndefined();
  });
});
