/**
 * Watches the mirror during a demo run and notes when each Editor__c, Contact and affiliation
 * first had an sfid, that is when Salesforce had it, and when each affiliation row was first
 * written, to time parent-ready → child-written and → child-landed.
 */
import { sql } from 'drizzle-orm';
import type { Drizzle } from '../db/database.ts';
import { sqlIdentifier } from '../db/sql-names.ts';
import { contactEditorAffiliation } from '../editor/objects/contact-editor-affiliation.ts';
import { contact } from '../editor/objects/contact.ts';
import { editor } from '../editor/objects/editor.ts';
import type { AnyMirrorObject } from '../mirror/object-set.ts';

const watched = { editor, contact, affiliation: contactEditorAffiliation } as const;
export type WatchedObject = keyof typeof watched;

export class DemoObserver {
  /** Object → external id → when (ms) it was first seen with an sfid. */
  readonly syncedAt: Record<WatchedObject, Map<string, number>> = { editor: new Map(), contact: new Map(), affiliation: new Map() };
  /** Affiliation external id → when (ms) its mirror row was first seen, sfid or not. */
  readonly writtenAt = new Map<string, number>();
  readonly #db: Drizzle;

  constructor(db: Drizzle) {
    this.#db = db;
  }

  /** Reads the mirror once, noting rows newly seen with an sfid. */
  async observe(now = Date.now()): Promise<void> {
    const parts = Object.entries(watched).map(
      ([name, object]) => sql`SELECT ${name} AS object, ${column(object)} AS key, sfid IS NOT NULL AS synced FROM ${object.table}`,
    );
    const { rows } = await this.#db.execute<{ object: WatchedObject; key: string; synced: boolean }>(sql.join(parts, sql` UNION ALL `));
    for (const row of rows) {
      if (row.synced && !this.syncedAt[row.object].has(row.key)) this.syncedAt[row.object].set(row.key, now);
      if (row.object === 'affiliation' && !this.writtenAt.has(row.key)) this.writtenAt.set(row.key, now);
    }
  }

  /**
   * Seconds from the later of an affiliation's two parents reaching Salesforce to the affiliation
   * itself reaching it (or, `written`, its mirror row being written), for every one that did.
   */
  parentToChildSeconds(affiliations: readonly { roleId: string; schoolId: string; userId: string }[], until: 'landed' | 'written' = 'landed'): number[] {
    return affiliations.flatMap(({ roleId, schoolId, userId }) => {
      const landed = (until === 'landed' ? this.syncedAt.affiliation : this.writtenAt).get(roleId);
      const parentsReady = Math.max(this.syncedAt.editor.get(schoolId) ?? Infinity, this.syncedAt.contact.get(userId) ?? Infinity);
      return landed === undefined || parentsReady === Infinity ? [] : [Math.max(0, landed - parentsReady) / 1000];
    });
  }
}

function column(object: AnyMirrorObject) {
  return sqlIdentifier(object.externalId);
}
