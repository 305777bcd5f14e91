/**
 * The seed's classification, as a doctor check of the editor preset: every school with no synced
 * Contact_Editor_Affiliation__c (no affiliation row with an sfid) falls in the first class it
 * meets, as the original investigation classified them by hand. `connect_sync.doctor_schools()`
 * lists each school and its class; `connect_sync.doctor_<class>()` each class alone.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { MirrorObjectSet, ResolvedLookup } from '../mirror/object-set.ts';
import type { DoctorCheck, DoctorFunction } from '../ops/doctor-check.ts';
import { keptMembersWhere, type KeptSet } from '../ops/kept-set.ts';
import { column, failedOn, failedRow, notSkipped, objectWord, opsFunction, parentSynced, parentsSynced, recordKey } from '../ops/doctor-sql.ts';
import { contactEditorAffiliation } from './objects/contact-editor-affiliation.ts';
import { editor } from './objects/editor.ts';

/** The object each school is, and the child whose synced rows the check looks for. */
const subject = editor;
const child = contactEditorAffiliation;

function lookups(objects: MirrorObjectSet): { subjectLookup: ResolvedLookup; otherLookups: ResolvedLookup[] } {
  const all = objects.parentLookups(objects.member(child));
  const subjectLookup = all.find((lookup) => lookup.parent === objects.member(subject));
  if (!subjectLookup) throw new Error(`${child.name} has no lookup to ${subject.name}`);
  return { subjectLookup, otherLookups: all.filter((lookup) => lookup !== subjectLookup) };
}

/** The classes in precedence order: `failedOn<Other>` is upstream (that parent is still missing). */
function schoolClasses(objects: MirrorObjectSet) {
  const { otherLookups } = lookups(objects);
  const word = objectWord(subject);
  return [
    { name: `no${word}Row`, meaning: `no ${subject.name} mirror row at all (recoverable: repair enqueues the school job)` },
    { name: 'rejected', meaning: 'school rejected (by design)' },
    {
      name: `failedOn${word}`,
      meaning: `affiliation row FAILED on the ${subject.name} lookup, ${subject.name} now synced (recoverable: repair deletes and re-enqueues)`,
    },
    ...otherLookups.map((lookup) => ({
      name: `failedOn${objectWord(lookup.parent)}`,
      meaning: `affiliation row FAILED on the ${lookup.parent.name} lookup, ${lookup.parent.name} still not in Salesforce (upstream; never touched)`,
    })),
    { name: 'noAffiliationRow', meaning: 'staff roles but no affiliation row (recoverable: repair enqueues the role jobs)' },
    { name: 'noStaffRoles', meaning: 'only students or no roles (by design)' },
    { name: 'other', meaning: 'anything else: an affiliation row still on its way, or FAILED on a Contact that has since arrived (repair heals that)' },
  ];
}

function schoolsSql(objects: MirrorObjectSet): SQL {
  const { subjectLookup, otherLookups } = lookups(objects);
  const classes = schoolClasses(objects).map((found) => found.name);
  const subjectKey = recordKey(subject);
  // Source to source, uncast, so the app's index on the child's parent key serves it.
  const childToSubject = sql`${child.fields[subjectLookup.column]} = ${subject.fields[subject.externalId]}`;
  const affiliationOf = (extra: SQL) =>
    sql`EXISTS (SELECT 1 FROM ${child.table} a WHERE ${column('a', subjectLookup.column)} = ${subjectKey} AND ${extra})`;
  const rejected = subject.fields.rejectedat__c;
  if (!rejected) throw new Error(`${subject.name} declares no rejectedat__c field`);
  const cases = [
    sql`WHEN e.id IS NULL THEN ${classes[0]}`,
    sql`WHEN (${rejected}) IS NOT NULL THEN 'rejected'`,
    sql`WHEN ${affiliationOf(sql`${failedRow('a')} AND ${failedOn('a', subjectLookup)} AND ${parentsSynced(objects, child, 'a')}`)} THEN ${classes[2]}`,
    ...otherLookups.map(
      (lookup) =>
        sql`WHEN ${affiliationOf(sql`${failedRow('a')} AND ${failedOn('a', lookup)} AND NOT ${parentSynced('a', lookup, 'p')}`)} THEN ${`failedOn${objectWord(lookup.parent)}`}`,
    ),
    // OFFSET 0 here and LIMIT 1 below: looked up per school, by index. The planner cannot estimate
    // how few schools lack a synced affiliation (it guesses half) and would otherwise hash the
    // whole child table against its mirror, and the whole Editor__c table, to answer for a handful.
    sql`WHEN EXISTS (SELECT 1 FROM ${child.source.table} WHERE ${childToSubject} AND ${notSkipped(child)}
      AND NOT EXISTS (SELECT 1 FROM ${child.table} a WHERE ${column('a', child.externalId)} = ${recordKey(child)}) OFFSET 0) THEN 'noAffiliationRow'`,
    sql`WHEN NOT EXISTS (SELECT 1 FROM ${child.source.table} WHERE ${childToSubject} AND ${notSkipped(child)} OFFSET 0) THEN 'noStaffRoles'`,
  ];
  return sql`SELECT ${subjectKey} AS school_id, CASE ${sql.join(cases, sql` `)} ELSE 'other' END AS class
    FROM ${subject.source.table}
    LEFT JOIN LATERAL (SELECT e.id FROM ${subject.table} e WHERE ${column('e', subject.externalId)} = ${subjectKey} LIMIT 1) e ON true
    WHERE ${keptMembersWhere(schoolsSet(objects))}`;
}

/**
 * The schools without a synced affiliation, kept (kept-set.ts): a new school may be one; an
 * affiliation row lost (deleted, its table made again) may make any school one.
 */
function schoolsSet(objects: MirrorObjectSet): KeptSet {
  const { subjectLookup } = lookups(objects);
  const subjectKey = recordKey(subject);
  const lookupColumn = column('a', subjectLookup.column);
  const synced = sql`${column('a', 'sfid')} IS NOT NULL`;
  const childToSubject = sql`${child.fields[subjectLookup.column]} = ${subject.fields[subject.externalId]}`;
  return {
    name: 'check:schools',
    id: subject.source.id,
    from: sql`${subject.source.table}`,
    changeTables: [subject.source.table],
    lossTables: [child.table],
    member: (candidates) =>
      candidates
        ? // The few candidates' synced affiliations in one pass over the child's mirror, hashed:
          // the lookup column has no index of Connect's, so a per-school EXISTS would scan it each time.
          sql`${subjectKey} NOT IN (SELECT ${lookupColumn} FROM ${child.table} a WHERE ${synced}
              AND ${lookupColumn} IN (SELECT ${subjectKey} FROM ${subject.source.table} WHERE ${subject.source.id} = ANY(${candidates})))`
        : sql`NOT EXISTS (SELECT 1 FROM ${child.table} a WHERE ${lookupColumn} = ${subjectKey} AND ${synced})`,
    // One of the school's own roles has a synced affiliation naming it: by index, role by role.
    ruledOut: sql`EXISTS (SELECT 1 FROM ${child.source.table} JOIN ${child.table} a ON ${column('a', child.externalId)} = ${recordKey(child)}
      WHERE ${childToSubject} AND ${lookupColumn} = ${subjectKey} AND ${synced})`,
  };
}

/** `noEditorRow` → `doctor_no_editor_row`. */
export function schoolClassFunction(className: string): string {
  return `doctor_${className.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)}`;
}

export const schoolsWithoutAffiliation: DoctorCheck = {
  name: 'schools',
  title: `Schools without a synced ${child.name}`,
  classes: schoolClasses,
  function: 'doctor_schools',
  subjectColumn: 'school_id',
  functions(objects) {
    const functions: DoctorFunction[] = [{ name: 'doctor_schools', columns: { school_id: 'text', class: 'text' }, select: schoolsSql(objects) }];
    for (const { name } of schoolClasses(objects)) {
      functions.push({
        name: schoolClassFunction(name),
        columns: { school_id: 'text' },
        select: sql`SELECT school_id FROM ${opsFunction('doctor_schools')} WHERE class = ${name}`,
      });
    }
    return functions;
  },
  keptSets: (objects) => [schoolsSet(objects)],
};
