/**
 * The mirror objects one app syncs, as a value: the host's declarations with every lookup
 * resolved to the declared object it points at. Enqueue, the worker, doctor, repair, backfill and
 * the Connect stand-in all read the same set, so a guard can never be dropped for an object the
 * set holds, and a lookup whose parent is not declared stops the app at start-up.
 */
import type { MirrorObject } from './define.ts';
import { ConnectSyncError } from '../errors.ts';

/** Any declared object: code over the whole set sees each payload as its schema's output. */
export type AnyMirrorObject = MirrorObject<any>;

/** A lookup of a child object, resolved to its parent object. */
export interface ResolvedLookup {
  /** The mirror column carrying the parent's external id, e.g. `editor__r__editoruuid__c`. */
  column: string;
  parent: AnyMirrorObject;
}

/** A declaration problem: a lookup with no parent, two objects on one queue, and the like. */
export class MirrorObjectSetError extends ConnectSyncError { readonly code = 'MIRROR_OBJECT_SET_INVALID'; }

/** A name given on the command line that is no object we sync. */
export class MirrorObjectUnknownError extends ConnectSyncError { readonly code = 'MIRROR_OBJECT_UNKNOWN'; }

/** The declared objects, parents before children, with their lookups resolved. */
export interface MirrorObjectSet {
  /** The schema every mirror table of the set is in: the one Heroku Connect's add-on writes to. */
  readonly mirrorSchema: string;
  /** Every object, parents before children (declared order otherwise). */
  readonly objects: readonly AnyMirrorObject[];
  /** The parents a row of `object` must wait for, in declared order. */
  parentLookups(object: AnyMirrorObject): readonly ResolvedLookup[];
  /** The object whose jobs run on `queue` (`role`, or the full `salesforce-sync.role`). */
  forQueue(queue: string): AnyMirrorObject | undefined;
  /** The object named `name` (`Editor__c`) or whose mirror table is `name` (`editor__c`). */
  named(name: string): AnyMirrorObject | undefined;
  /**
   * The objects `name` means, as commands take it: `all` (parents first), a queue, a Salesforce
   * object or a mirror table. Throws MirrorObjectUnknownError listing what there is.
   */
  select(name: string): AnyMirrorObject[];
  /** The set's own copy of `object` (the same declaration), or a MirrorObjectUnknownError. */
  member(object: AnyMirrorObject): AnyMirrorObject;
}

/**
 * Resolves `objects` into a set. Each lookup column `<field>__r__<external id>` points at the one
 * declared object with that external id; none or several is an error naming the column.
 */
export function mirrorObjectSet(objects: readonly AnyMirrorObject[]): MirrorObjectSet {
  if (objects.length === 0) throw new MirrorObjectSetError('No mirror objects declared: give connect-sync at least one.');
  uniqueBy(objects, (object) => object.name, 'name');
  uniqueBy(objects, (object) => object.queueName, 'queue');
  uniqueBy(objects, (object) => object.tableName, 'mirror table');
  const mirrorSchema = oneMirrorSchema(objects);

  const resolved = new Map<AnyMirrorObject, ResolvedLookup[]>();
  for (const object of objects) {
    resolved.set(
      object,
      object.lookups.map(({ column, parentExternalId }) => {
        const candidates = objects.filter((candidate) => candidate.externalId === parentExternalId);
        if (candidates.length === 1) return { column, parent: candidates[0]! };
        const declared = objects.map((candidate) => `${candidate.name} (${candidate.externalId})`).join(', ');
        throw new MirrorObjectSetError(
          candidates.length === 0
            ? `${object.name}.${column} looks up a parent by ${parentExternalId}, but no declared object has that external id; declare the parent object too (declared: ${declared}).`
            : `${object.name}.${column}: ${candidates.map((candidate) => candidate.name).join(' and ')} share the external id ${parentExternalId}, so the parent is ambiguous.`,
        );
      }),
    );
  }
  const ordered = parentsFirst(objects, (object) => (resolved.get(object) ?? []).map((lookup) => lookup.parent));

  const forQueue = (queue: string) => objects.find((object) => object.queue === queue || object.queueName === queue);
  const named = (name: string) => objects.find((object) => object.name === name || object.tableName === name);
  const describe = () => ordered.map((object) => `${object.queue} (${object.name})`).join(', ');
  return {
    mirrorSchema,
    objects: ordered,
    parentLookups: (object) => resolved.get(object) ?? [],
    forQueue,
    named,
    select(name) {
      if (name === 'all') return [...ordered];
      const object = forQueue(name) ?? named(name);
      if (object) return [object];
      throw new MirrorObjectUnknownError(`Unknown object "${name}": expected all, or one of ${describe()}`);
    },
    member(object) {
      if (resolved.has(object)) return object;
      throw new MirrorObjectUnknownError(`${object.name} is not one of the declared objects (${describe()}); add its declaration to the set.`);
    },
  };
}

function uniqueBy(objects: readonly AnyMirrorObject[], key: (object: AnyMirrorObject) => string, what: string): void {
  const seen = new Map<string, AnyMirrorObject>();
  for (const object of objects) {
    const value = key(object);
    const other = seen.get(value);
    if (other) throw new MirrorObjectSetError(`${other.name} and ${object.name} are declared with the same ${what}, ${value}.`);
    seen.set(value, object);
  }
}

/** One Connect add-on writes one schema, with its trigger log beside the tables: every object's table must be there. */
function oneMirrorSchema(objects: readonly AnyMirrorObject[]): string {
  const [first, ...rest] = objects;
  const other = rest.find((object) => object.mirrorSchema !== first!.mirrorSchema);
  if (other) {
    throw new MirrorObjectSetError(
      `${first!.name}'s mirror table is in schema ${first!.mirrorSchema} and ${other.name}'s in ${other.mirrorSchema}: declare every mirror table in the schema Heroku Connect writes to (connectTable's schema option).`,
    );
  }
  return first!.mirrorSchema;
}

/** A stable topological order: each object after its parents, otherwise as declared. */
function parentsFirst(objects: readonly AnyMirrorObject[], parents: (object: AnyMirrorObject) => AnyMirrorObject[]): AnyMirrorObject[] {
  const ordered: AnyMirrorObject[] = [];
  const state = new Map<AnyMirrorObject, 'visiting' | 'done'>();
  const visit = (object: AnyMirrorObject) => {
    if (state.get(object) === 'done') return;
    // A cycle (A looks up B, B looks up A) cannot be ordered; declared order decides it.
    if (state.get(object) === 'visiting') return;
    state.set(object, 'visiting');
    for (const parent of parents(object)) if (parent !== object) visit(parent);
    state.set(object, 'done');
    ordered.push(object);
  };
  for (const object of objects) visit(object);
  return ordered;
}
