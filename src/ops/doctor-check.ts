/**
 * A check the doctor runs on top of its own per-object ones: a classification a preset knows how
 * to make (the editor preset sorts every school without a synced affiliation into the classes
 * the original investigation used). Its functions are created with the doctor's, from the same
 * declarations; the report counts one row per subject by class.
 */
import type { SQL } from 'drizzle-orm';
import type { MirrorObjectSet } from '../mirror/object-set.ts';
import type { KeptSet } from './kept-set.ts';

/**
 * One of the doctor's SQL functions (`SELECT * FROM connect_sync.<name>()`): the columns it
 * returns, each with its Postgres type, and the SELECT that makes them. The SELECT only reads
 * (the function is made STABLE and PARALLEL SAFE).
 */
export interface DoctorFunction {
  name: string;
  /** Column name → Postgres type, in order; the SELECT's columns are cast to these. */
  columns: Record<string, string>;
  select: SQL;
}

export interface DoctorCheck {
  /** A short name, unique among checks: the report's key (`schools`). */
  name: string;
  /** The report's heading, e.g. `Schools without a synced Contact_Editor_Affiliation__c`. */
  title: string;
  /** The classes in precedence order, each with what it means and whether repair heals it. */
  classes(objects: MirrorObjectSet): readonly { name: string; meaning: string }[];
  /** The function the report reads: one row per subject, with `subjectColumn` and `class`. */
  function: string;
  /** The function's column naming each subject, e.g. `school_id`. */
  subjectColumn: string;
  /** Every function the check adds, in creation order (the `function` among them). */
  functions(objects: MirrorObjectSet): DoctorFunction[];
  /**
   * The kept sets its functions read (kept-set.ts): subjects whose finding is an anti-join of
   * whole tables are kept and counted from the rows changed since, like the doctor's own.
   */
  keptSets?(objects: MirrorObjectSet): KeptSet[];
}
