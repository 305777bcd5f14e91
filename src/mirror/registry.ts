/**
 * Every mirror object, each declared once in objects/, with its lookups resolved to the parent
 * objects they point at. Adding an object means adding its file and one line here.
 */
import type { MirrorObject } from './define.ts';
import { classroom } from './objects/classroom.ts';
import { contactClassroomAffiliation } from './objects/contact-classroom-affiliation.ts';
import { contactEditorAffiliation } from './objects/contact-editor-affiliation.ts';
import { contact } from './objects/contact.ts';
import { editor } from './objects/editor.ts';
import { lesson } from './objects/lesson.ts';

// Parents before children, so a backfill of `all` enqueues parents first.
export const mirrorObjects = [editor, contact, contactEditorAffiliation, classroom, contactClassroomAffiliation, lesson] as const;

export type AnyMirrorObject = MirrorObject<any>;

/** A lookup of a child object, resolved to its parent object. */
export interface ResolvedLookup {
  column: string;
  parent: AnyMirrorObject;
}

const byExternalId = new Map<string, AnyMirrorObject>();
for (const object of mirrorObjects) {
  // Two objects sharing an external id name are fine unless a lookup names it (then it is ambiguous).
  if (!byExternalId.has(object.externalId)) byExternalId.set(object.externalId, object);
  else byExternalId.set(object.externalId, undefined as never);
}

const resolved = new Map<AnyMirrorObject, ResolvedLookup[]>(
  mirrorObjects.map((object) => [
    object,
    object.lookups.map(({ column, parentExternalId }) => {
      const parent = byExternalId.get(parentExternalId);
      if (!parent) throw new Error(`${object.name}.${column}: no single declared object has the external id ${parentExternalId}`);
      return { column, parent };
    }),
  ]),
);

/** The parents a row of `object` must wait for, in declared order. */
export function parentLookups(object: AnyMirrorObject): readonly ResolvedLookup[] {
  return resolved.get(object) ?? [];
}

/** The object whose jobs run on `queue` (`role`, or the full `salesforce-sync.role`). */
export function mirrorObjectForQueue(queue: string): AnyMirrorObject | undefined {
  return mirrorObjects.find((object) => object.queue === queue || object.queueName === queue);
}

/** The object named `name` (`Editor__c`) or whose table is `name` (`editor__c`). */
export function mirrorObjectNamed(name: string): AnyMirrorObject | undefined {
  return mirrorObjects.find((object) => object.name === name || object.tableName === name);
}

/** A name given on the command line that is no object we sync. */
export class MirrorObjectUnknownError extends Error {
  override name = 'MirrorObjectUnknownError';
}

/**
 * The objects `name` means, as commands take it: `all` (parents first), a queue (`role`,
 * `salesforce-sync.role`), a Salesforce object (`Contact_Editor_Affiliation__c`) or a mirror table.
 */
export function mirrorObjectsFor(name: string): AnyMirrorObject[] {
  if (name === 'all') return [...mirrorObjects];
  const object = mirrorObjectForQueue(name) ?? mirrorObjectNamed(name);
  if (object) return [object];
  const names = mirrorObjects.map((candidate) => `${candidate.queue} (${candidate.name})`).join(', ');
  throw new MirrorObjectUnknownError(`Unknown object "${name}": expected all, or one of ${names}`);
}
