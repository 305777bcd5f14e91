/**
 * An object's mirror table by name, in its declared schema: quoted for SQL text, or as a person
 * reads it in a message. Every statement written as text that names a mirror table takes it from
 * here (Drizzle's take it from the table itself, quoted by the same rule).
 */
import { qualifiedName } from '../db/sql-names.ts';
import type { AnyMirrorObject } from './object-set.ts';

/** `"salesforce"."editor__c"`: the object's mirror table, quoted, for SQL text. */
export function mirrorTableQuoted(object: AnyMirrorObject): string {
  return qualifiedName(object.mirrorSchema, object.tableName);
}

/** `salesforce.editor__c`: the object's mirror table as a person reads it. */
export function mirrorTableName(object: AnyMirrorObject): string {
  return `${object.mirrorSchema}.${object.tableName}`;
}
