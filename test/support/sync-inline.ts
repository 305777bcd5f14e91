/** Running one object's sync inline (no queue), and reading mirror timestamps as Connect writes them. */
import type { Database } from '../../src/db/database.ts';
import type { AnyMirrorObject } from '../../src/mirror/object-set.ts';
import { syncBatch, type SyncOutcome } from '../../src/sync/sync-batch.ts';
import { editorObjectSet } from './editor.ts';

/** Syncs one job of `object` with payload `data` on `database`, returning its outcome. */
export function syncOneOn(database: Database) {
  return async (object: AnyMirrorObject, data: object): Promise<SyncOutcome | undefined> => {
    const outcomes = await syncBatch(database.db, editorObjectSet, object, [{ id: 'job-1', data }], { enabled: true });
    return outcomes.get('job-1');
  };
}

/** Mirror timestamps carry no zone (Connect writes UTC); read raw, they are UTC wall-clock text. */
export const mirrorTime = (iso: string) => iso.replace('T', ' ').replace(/(\.000)?Z$/, '');
