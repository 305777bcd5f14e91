/**
 * A check the doctor runs on top of its own per-object ones: a classification a preset knows how
 * to make (the editor preset sorts every school without a synced affiliation into the classes
 * the original investigation used). Its views are created with the doctor's, from the same
 * declarations; the report counts one row per subject by class.
 */
import type { SQL } from 'drizzle-orm';
import type { MirrorObjectSet } from '../mirror/object-set.ts';

export interface DoctorCheck {
  /** A short name, unique among checks: the report's key (`schools`). */
  name: string;
  /** The report's heading, e.g. `Schools without a synced Contact_Editor_Affiliation__c`. */
  title: string;
  /** The classes in precedence order, each with what it means and whether repair heals it. */
  classes(objects: MirrorObjectSet): readonly { name: string; meaning: string }[];
  /** The view the report reads: one row per subject, with `subjectColumn` and `class`. */
  view: string;
  /** The view's column naming each subject, e.g. `school_id`. */
  subjectColumn: string;
  /** Every view the check adds, name → SELECT, in creation order (the `view` among them). */
  views(objects: MirrorObjectSet): [string, SQL][];
}
