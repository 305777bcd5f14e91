import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { ConnectSim } from '../../src/connect-sim/connect-sim.ts';
import type { ConnectSimOptions } from '../../src/connect-sim/options.ts';
import { waitFor } from '../support/wait.ts';
import { testDatabase } from '../support/database.ts';
import { editorObjectSet } from '../support/editor.ts';

const database = await testDatabase();
const sims: ConnectSim[] = [];
afterAll(() => Promise.all(sims.map((sim) => sim.stop())));

let clock = Date.now();
// A clock the tests move by hand; drains never wait on real time.
function simCreate(options: ConnectSimOptions = {}): ConnectSim {
  const sim = new ConnectSim(database, editorObjectSet, { timers: false, now: () => clock, ...options });
  sims.push(sim);
  return sim;
}

const editorMissing = (uuid: string) =>
  JSON.stringify({ message: `Foreign key external ID: ${uuid} not found for field EditorUUID__c in entity Editor__c`, errorCode: 'INVALID_FIELD' });

async function editorWrite(uuid = randomUUID()): Promise<{ id: number; uuid: string }> {
  const { rows } = await database.pool.query<{ id: number }>(`INSERT INTO salesforce.editor__c (editoruuid__c, name) VALUES ($1, 'A school') RETURNING id`, [uuid]);
  return { id: rows[0]!.id, uuid };
}

async function affiliationWrite(editorUuid: string, userId: string): Promise<number> {
  const { rows } = await database.pool.query<{ id: number }>(
    `INSERT INTO salesforce.contact_editor_affiliation__c (affiliation_id__c, editor__r__editoruuid__c, contact__r__pi_accounts_unique_id__c, roletype__c)
     VALUES ($1, $2, $3, 'owner') RETURNING id`,
    [String(Math.floor(Math.random() * 1e9)), editorUuid, userId],
  );
  return rows[0]!.id;
}

async function mirrorRow(table: 'editor__c' | 'contact_editor_affiliation__c' | 'contact', id: number) {
  const { rows } = await database.pool.query(`SELECT * FROM salesforce.${table} WHERE id = $1`, [id]);
  return rows[0] as Record<string, unknown>;
}

async function entries(table: string, id: number, from: '_trigger_log' | '_trigger_log_archive' = '_trigger_log') {
  const { rows } = await database.pool.query<{ state: string; action: string; sf_message: string | null }>(
    `SELECT state, action, sf_message FROM salesforce.${from} WHERE table_name = $1 AND record_id = $2 ORDER BY id`,
    [table, id],
  );
  return rows;
}

/** A user whose Contact is in the org and the mirror already. */
async function contactReady(sim: ConnectSim): Promise<string> {
  const userId = randomUUID();
  sim.contacts.schedule(userId, { lagSeconds: 0 });
  await sim.drain();
  return userId;
}

describe('the Connect stand-in', () => {
  it('fails an affiliation written before its Editor__c is pushed, for good, with Salesforce’s message', async () => {
    const sim = simCreate();
    const userId = await contactReady(sim);
    const editorUuid = randomUUID();
    const affiliation = await affiliationWrite(editorUuid, userId);
    const editor = await editorWrite(editorUuid);

    expect(await sim.drain()).toMatchObject({ pushed: 1, failed: 1 });
    expect(await mirrorRow('contact_editor_affiliation__c', affiliation)).toMatchObject({
      _hc_lastop: 'FAILED',
      _hc_err: editorMissing(editorUuid),
      sfid: null,
    });
    expect(await entries('contact_editor_affiliation__c', affiliation)).toEqual([
      { state: 'FAILED', action: 'INSERT', sf_message: editorMissing(editorUuid) },
    ]);
    expect(await mirrorRow('editor__c', editor.id)).toMatchObject({ _hc_lastop: 'SYNCED' });

    // The parent is in Salesforce now, but Connect never retries: it stays FAILED.
    clock += 3_600_000;
    await sim.drain();
    await sim.drain();
    expect(await mirrorRow('contact_editor_affiliation__c', affiliation)).toMatchObject({ _hc_lastop: 'FAILED', sfid: null });
    expect((await entries('contact_editor_affiliation__c', affiliation)).map((entry) => entry.state)).toEqual(['FAILED']);
  });

  it('pushes an affiliation whose parents went first: sfid written back, INSERTED, then SYNCED with lookup ids', async () => {
    const sim = simCreate();
    const userId = await contactReady(sim);
    const editor = await editorWrite();
    const affiliation = await affiliationWrite(editor.uuid, userId);

    expect(await sim.pushDue()).toMatchObject({ pushed: 2, failed: 0 });
    const pushed = await mirrorRow('contact_editor_affiliation__c', affiliation);
    expect(pushed).toMatchObject({ _hc_lastop: 'INSERTED', _hc_err: null, editor__c: null });
    expect(pushed.sfid).toMatch(/^a0[0-9A-Za-z]{16}$/);
    expect(await entries('contact_editor_affiliation__c', affiliation)).toEqual([]);
    expect(await entries('contact_editor_affiliation__c', affiliation, '_trigger_log_archive')).toEqual([
      { state: 'SUCCESS', action: 'INSERT', sf_message: null },
    ]);

    expect(await sim.readPoll()).toBe(2);
    const editorRow = await mirrorRow('editor__c', editor.id);
    const contact = await database.pool.query(`SELECT sfid FROM salesforce.contact WHERE pi_accounts_unique_id__c = $1`, [userId]);
    expect(await mirrorRow('contact_editor_affiliation__c', affiliation)).toMatchObject({
      _hc_lastop: 'SYNCED',
      editor__c: editorRow.sfid,
      contact__c: contact.rows[0].sfid,
    });
  });

  it('fails on Contact when the user’s Contact never arrives', async () => {
    const sim = simCreate();
    const userId = randomUUID();
    sim.contacts.never(userId);
    const editor = await editorWrite();
    const affiliation = await affiliationWrite(editor.uuid, userId);
    await sim.drain();
    const message = JSON.stringify({
      message: `Foreign key external ID: ${userId} not found for field Pi_Accounts_Unique_ID__c in entity Contact`,
      errorCode: 'INVALID_FIELD',
    });
    expect(await mirrorRow('contact_editor_affiliation__c', affiliation)).toMatchObject({ _hc_lastop: 'FAILED', _hc_err: message });
  });

  it('tries a FAILED row again once the app really changes it, and not when the change is none', async () => {
    const sim = simCreate();
    const userId = await contactReady(sim);
    const editorUuid = randomUUID();
    const affiliation = await affiliationWrite(editorUuid, userId);
    await sim.drain();
    await editorWrite(editorUuid);
    await sim.drain();

    await database.pool.query(`UPDATE salesforce.contact_editor_affiliation__c SET roletype__c = 'owner' WHERE id = $1`, [affiliation]);
    expect(await sim.drain()).toMatchObject({ pushed: 0, failed: 0 });
    expect(await mirrorRow('contact_editor_affiliation__c', affiliation)).toMatchObject({ _hc_lastop: 'FAILED' });
    expect((await entries('contact_editor_affiliation__c', affiliation)).map((entry) => entry.state)).toEqual(['FAILED', 'IGNORE']);

    await database.pool.query(`UPDATE salesforce.contact_editor_affiliation__c SET roletype__c = 'teacher' WHERE id = $1`, [affiliation]);
    expect(await mirrorRow('contact_editor_affiliation__c', affiliation)).toMatchObject({ _hc_lastop: 'PENDING', _hc_err: null });
    expect(await sim.drain()).toMatchObject({ pushed: 1, failed: 0 });
    const row = await mirrorRow('contact_editor_affiliation__c', affiliation);
    expect(row).toMatchObject({ _hc_lastop: 'SYNCED', _hc_err: null });
    expect(row.sfid).toHaveLength(18);
  });

  it('lets a child overtake its delayed parent: the parent waits its push delay, the child fails', async () => {
    const sim = simCreate({ pushDelaySeconds: { Editor__c: 30 } });
    const userId = await contactReady(sim);
    const editor = await editorWrite();
    const affiliation = await affiliationWrite(editor.uuid, userId);

    expect(await sim.drain()).toMatchObject({ pushed: 0, failed: 1 });
    expect(await mirrorRow('editor__c', editor.id)).toMatchObject({ _hc_lastop: 'PENDING', sfid: null });
    expect(await mirrorRow('contact_editor_affiliation__c', affiliation)).toMatchObject({ _hc_err: editorMissing(editor.uuid) });

    clock += 31_000;
    expect(await sim.drain()).toMatchObject({ pushed: 1, failed: 0 });
    expect(await mirrorRow('editor__c', editor.id)).toMatchObject({ _hc_lastop: 'SYNCED' });
    expect(await mirrorRow('contact_editor_affiliation__c', affiliation)).toMatchObject({ _hc_lastop: 'FAILED' });
  });

  it('delivers a Contact after its lag, as Connect (not logged), and pushes the app’s consent update to it', async () => {
    const sim = simCreate({ timeScale: 1 / 60 });
    const userId = randomUUID();
    sim.contacts.schedule(userId, { lagSeconds: 600 });
    await sim.drain();
    const missing = await database.pool.query(`SELECT 1 FROM salesforce.contact WHERE pi_accounts_unique_id__c = $1`, [userId]);
    expect(missing.rows).toEqual([]);

    clock += 10_001;
    expect(await sim.drain()).toMatchObject({ contactsDelivered: 1 });
    const { rows } = await database.pool.query<{ id: number; sfid: string; _hc_lastop: string }>(
      `SELECT id, sfid, _hc_lastop FROM salesforce.contact WHERE pi_accounts_unique_id__c = $1`,
      [userId],
    );
    expect(rows[0]).toMatchObject({ _hc_lastop: 'SYNCED' });
    expect(rows[0]?.sfid).toMatch(/^0035g/);
    const contactId = rows[0]!.id;
    expect(await entries('contact', contactId)).toEqual([]);

    await database.pool.query(`UPDATE salesforce.contact SET editor_consent_to_ux_contact__c = true WHERE id = $1`, [contactId]);
    expect(await sim.drain()).toMatchObject({ pushed: 1, failed: 0, synced: 1 });
    const org = await database.pool.query(`SELECT fields FROM connect_sim_org.record WHERE id = $1`, [rows[0]!.sfid]);
    expect(org.rows[0].fields).toMatchObject({ editor_consent_to_ux_contact__c: true, pi_accounts_unique_id__c: userId });
    expect(await mirrorRow('contact', contactId)).toMatchObject({ _hc_lastop: 'SYNCED', sfid: rows[0]!.sfid });
  });

  it('runs by itself once started: woken by NOTIFY, it pushes and reads back within the scaled intervals', async () => {
    const sim = new ConnectSim(database, editorObjectSet, { timeScale: 0.001, minIntervalSeconds: 10, readPollIntervalSeconds: 60 });
    sims.push(sim);
    await sim.start();
    const editor = await editorWrite();
    const row = await waitFor('the Editor__c to be pushed and read back', async () => {
      const current = await mirrorRow('editor__c', editor.id);
      return current._hc_lastop === 'SYNCED' && current;
    }, { timeoutMs: 10_000, intervalMs: 20 });
    expect(row.sfid).toHaveLength(18);
    await sim.stop();
  });
});
