/**
 * Connect's read-back from Salesforce: rows it has just sent (INSERTED, UPDATED) become SYNCED,
 * and their lookup id columns (`editor__c`, `contact__c`) are filled from the org record. Runs
 * on a Connect session, so nothing here is logged.
 */
import pg from 'pg';
import type { MirrorObjectSet } from '../mirror/object-set.ts';
import { lookupIdColumn, orgRecordsById, orgSchemaName, type Queryable } from './org-records.ts';
import { mirrorSchemaName } from './trigger-functions.ts';

/** Reads back every sent row of every mirror table; returns how many rows became SYNCED. */
export async function mirrorReadPoll(client: Queryable, objects: MirrorObjectSet): Promise<number> {
  let synced = 0;
  for (const object of objects.objects) {
    const table = `${pg.escapeIdentifier(mirrorSchemaName)}.${pg.escapeIdentifier(object.tableName)}`;
    const { rows } = await client.query<{ id: number; sfid: string }>(
      `SELECT id, sfid FROM ${table} WHERE _hc_lastop IN ('INSERTED', 'UPDATED') AND sfid IS NOT NULL ORDER BY id`,
    );
    if (rows.length === 0) continue;
    const records = await orgRecordsById(
      client,
      object.name,
      rows.map((row) => row.sfid),
    );
    const idColumns = objects.parentLookups(object).flatMap(({ column }) => lookupIdColumn(object, column) ?? []);
    const assignments = idColumns.map((column, index) => `${pg.escapeIdentifier(column)} = $${index + 3}`);
    for (const row of rows) {
      const record = records.get(row.sfid);
      // A record gone from the org stays as it is; Connect would see its deletion separately.
      if (!record) continue;
      const values = idColumns.map((column) => (record.fields[column] as string | null | undefined) ?? null);
      await client.query(
        `UPDATE ${table} SET _hc_lastop = 'SYNCED', systemmodstamp = (SELECT system_modstamp FROM ${orgSchemaName}.record WHERE id = $2)${assignments.map((assignment) => `, ${assignment}`).join('')}
          WHERE id = $1 AND _hc_lastop IN ('INSERTED', 'UPDATED')`,
        [row.id, record.id, ...values],
      );
      synced += 1;
    }
  }
  return synced;
}
