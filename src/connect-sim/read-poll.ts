/**
 * Connect's read-back from Salesforce: rows it has just sent (INSERTED, UPDATED) become SYNCED,
 * and their lookup id columns (`editor__c`, `contact__c`) are filled from the org record, in one
 * statement per mirror table. Runs on a Connect session, so nothing here is logged.
 */
import { identifierQuote } from '../db/sql-names.ts';
import { mirrorTableQuoted } from '../mirror/mirror-table-name.ts';
import type { MirrorObjectSet } from '../mirror/object-set.ts';
import { lookupIdColumn, orgRecordTable, type Queryable } from './org-records.ts';

/** Reads back every sent row of every mirror table; returns how many rows became SYNCED. */
export async function mirrorReadPoll(client: Queryable, objects: MirrorObjectSet): Promise<number> {
  let synced = 0;
  for (const object of objects.objects) {
    const table = mirrorTableQuoted(object);
    const idColumns = objects.parentLookups(object).flatMap(({ column }) => lookupIdColumn(object, column) ?? []);
    // The org keeps a lookup's id under the id column's own name (`editor__c`).
    const assignments = idColumns.map((column, index) => `, ${identifierQuote(column)} = record.fields ->> $${index + 2}`);
    // A row whose record is gone from the org stays as it is; Connect would see its deletion separately.
    const { rowCount } = await client.query(
      `UPDATE ${table} AS m SET _hc_lastop = 'SYNCED', systemmodstamp = record.system_modstamp${assignments.join('')}
         FROM ${orgRecordTable} AS record
        WHERE m._hc_lastop IN ('INSERTED', 'UPDATED') AND m.sfid IS NOT NULL AND record.id = m.sfid AND record.object_name = $1`,
      [object.name, ...idColumns],
    );
    synced += rowCount ?? 0;
  }
  return synced;
}
