import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { connectSimInstall, ConnectSimInstallRefusedError } from '../../src/connect-sim/install.ts';
import { salesforceIdFormat, salesforceKeyPrefix } from '../../src/connect-sim/salesforce-id.ts';
import { migrateQueue } from '../../src/schema/migrate.ts';
import { mirrorTablesCreate } from '../../src/connect-sim/mirror-tables.ts';
import { silentLogger } from '../../src/log.ts';
import { testDatabase } from '../support/database.ts';
import { editorConfig, editorObjectSet } from '../support/editor.ts';
import { editor } from '../../src/editor/objects/editor.ts';

const database = await testDatabase();

interface LogRow {
  state: string;
  action: string;
  table_name: string;
  record_id: number;
  values: Record<string, unknown>;
  old: Record<string, unknown> | null;
}

async function logFor(table: string, recordId: number): Promise<LogRow[]> {
  const { rows } = await database.pool.query<LogRow>(
    `SELECT state, action, table_name, record_id, values, old FROM salesforce._trigger_log WHERE table_name = $1 AND record_id = $2 ORDER BY id`,
    [table, recordId],
  );
  return rows;
}

async function editorInsert(client: Pick<pg.ClientBase, 'query'> = database.pool): Promise<{ id: number; uuid: string }> {
  const uuid = randomUUID();
  const { rows } = await client.query<{ id: number }>(`INSERT INTO salesforce.editor__c (editoruuid__c, name) VALUES ($1, 'A school') RETURNING id`, [uuid]);
  return { id: rows[0]!.id, uuid };
}

describe('the Connect stand-in installer', () => {
  it('puts the status and log triggers on every declared mirror table', async () => {
    const { rows } = await database.pool.query<{ table: string; trigger: string }>(
      `SELECT event_object_table AS table, trigger_name AS trigger FROM information_schema.triggers
        WHERE trigger_schema = 'salesforce' GROUP BY 1, 2`,
    );
    for (const object of editorObjectSet.objects) {
      const triggers = rows.filter((row) => row.table === object.tableName).map((row) => row.trigger);
      expect(triggers.sort()).toEqual([`hc_${object.tableName}_logtrigger`, `hc_${object.tableName}_status_trigger`]);
    }
  });

  it('is idempotent', async () => {
    await connectSimInstall(database, editorObjectSet, silentLogger);
    await connectSimInstall(database, editorObjectSet, silentLogger);
    const { rows } = await database.pool.query(`SELECT org_id FROM salesforce._hcmeta`);
    expect(rows).toEqual([{ org_id: 'connect-sim' }]);
  });

  it('refuses a salesforce schema whose Connect tables it did not make', async () => {
    const foreign = await testDatabase({ empty: true });
    await migrateQueue(foreign, editorConfig, silentLogger);
    await mirrorTablesCreate(foreign, editorObjectSet, silentLogger);
    await foreign.pool.query(`CREATE TABLE salesforce._trigger_log (id serial PRIMARY KEY, state varchar(8))`);
    await expect(connectSimInstall(foreign, editorObjectSet, silentLogger)).rejects.toThrow(ConnectSimInstallRefusedError);
    await expect(connectSimInstall(foreign, editorObjectSet, silentLogger)).rejects.toThrow(/real Heroku Connect owns this schema/);
    const { rows } = await foreign.pool.query(`SELECT 1 FROM information_schema.triggers WHERE trigger_schema = 'salesforce'`);
    expect(rows).toEqual([]);
  });

  it('marks an app write PENDING and logs an INSERT with all its columns', async () => {
    const { id, uuid } = await editorInsert();
    const { rows } = await database.pool.query(`SELECT _hc_lastop, _hc_err FROM salesforce.editor__c WHERE id = $1`, [id]);
    expect(rows[0]).toEqual({ _hc_lastop: 'PENDING', _hc_err: null });
    const [entry] = await logFor('editor__c', id);
    expect(entry).toMatchObject({ state: 'NEW', action: 'INSERT', old: null });
    expect(entry?.values).toMatchObject({ id, editoruuid__c: uuid, name: 'A school', sfid: null });
    expect(Object.keys(entry?.values ?? {})).toEqual(expect.arrayContaining(Object.keys(editor.columnTypes)));
  });

  it('logs only the changed columns of an UPDATE, and an UPDATE that changes nothing as IGNORE', async () => {
    const { id } = await editorInsert();
    await database.pool.query(`UPDATE salesforce.editor__c SET name = 'Renamed', website__c = NULL WHERE id = $1`, [id]);
    await database.pool.query(`UPDATE salesforce.editor__c SET name = 'Renamed' WHERE id = $1`, [id]);
    const entries = await logFor('editor__c', id);
    expect(entries.map((entry) => [entry.action, entry.state])).toEqual([
      ['INSERT', 'NEW'],
      ['UPDATE', 'NEW'],
      ['UPDATE', 'IGNORE'],
    ]);
    expect(entries[1]?.values).toEqual({ name: 'Renamed' });
    expect(entries[1]?.old).toEqual({ name: 'A school' });
    expect(entries[2]?.values).toEqual({});
  });

  it('logs the DELETE of a row Salesforce never had as IGNORE', async () => {
    const { id } = await editorInsert();
    await database.pool.query(`DELETE FROM salesforce.editor__c WHERE id = $1`, [id]);
    expect((await logFor('editor__c', id)).map((entry) => [entry.action, entry.state])).toEqual([
      ['INSERT', 'NEW'],
      ['DELETE', 'IGNORE'],
    ]);
  });

  it('neither marks nor logs a write from a Connect session (xmlbinary not base64)', async () => {
    const connect = new pg.Client({ connectionString: database.url, options: '-c xmlbinary=hex' });
    await connect.connect();
    try {
      const { id } = await editorInsert(connect);
      await connect.query(`UPDATE salesforce.editor__c SET name = 'By Connect', _hc_lastop = 'UPDATED' WHERE id = $1`, [id]);
      const { rows } = await connect.query(`SELECT _hc_lastop FROM salesforce.editor__c WHERE id = $1`, [id]);
      expect(rows[0]).toEqual({ _hc_lastop: 'UPDATED' });
      await connect.query(`UPDATE salesforce.editor__c SET name = 'By Connect again' WHERE id = $1`, [id]);
      const { rows: after } = await connect.query(`SELECT _hc_lastop FROM salesforce.editor__c WHERE id = $1`, [id]);
      expect(after[0]).toEqual({ _hc_lastop: 'SYNCED' });
      expect(await logFor('editor__c', id)).toEqual([]);
    } finally {
      await connect.end();
    }
  });

  it('wakes a listener on salesforce.hc_trigger_log when an entry is logged', async () => {
    const listener = new pg.Client({ connectionString: database.url });
    await listener.connect();
    try {
      const notified = new Promise<pg.Notification>((resolve) => listener.once('notification', resolve));
      await listener.query(`LISTEN "salesforce.hc_trigger_log"`);
      await editorInsert();
      expect(await notified).toMatchObject({ channel: 'salesforce.hc_trigger_log', payload: 'editor__c' });
    } finally {
      await listener.end();
    }
  });
});

describe('Salesforce ids', () => {
  it('are 18 characters with the object key prefix and Salesforce’s case suffix', () => {
    expect(salesforceKeyPrefix('Contact')).toBe('003');
    const id = salesforceIdFormat(salesforceKeyPrefix('Editor__c'), 61n);
    expect(id).toHaveLength(18);
    expect(id.startsWith('a0')).toBe(true);
    // Known pair: Salesforce's own suffix for this 15-character id.
    expect(salesforceIdFormat('001', 0n).slice(15)).toBe('AAA');
    expect(salesforceIdFormat('003', 3844n)).toMatch(/^0035g0000000100[A-Z0-5]{3}$/);
  });
});
