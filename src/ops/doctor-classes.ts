/**
 * `connect-sync doctor`: every school without a synced Contact_Editor_Affiliation__c, classified
 * as the original investigation did by hand, plus the jobs that gave up and the jobs waiting on a
 * parent. Counts and example ids per class, read from the doctor's views, so psql and this
 * command always agree.
 */
import { sql } from 'drizzle-orm';
import type { CommandContext } from '../command-context.ts';
import type { Database } from '../db/database.ts';
import { doctorSchoolsView, doctorViewName, doctorViewsEnsure, jobClassNames, opsSchema, schoolClassNames } from './doctor-views.ts';

/** One class: how many, and a few of them. */
export interface DoctorClass {
  count: number;
  /** School ids for school classes; `<queue>/<record id>` for job classes. */
  examples: string[];
}

/** What `doctor` found. `classes` holds every class name, with a zero count when empty. */
export interface DoctorReport {
  classes: Record<string, DoctorClass>;
  /** Schools without a synced affiliation: the sum of the school classes. */
  schoolsWithoutSyncedAffiliation: number;
  /** The views a person can query with psql for the same answer, by class. */
  views: Record<string, string>;
}

/** What each class means, and whether `repair` heals it; for the text report and the README. */
export const doctorClassMeanings: Record<string, string> = {
  noEditorRow: 'no Editor__c mirror row at all (recoverable: repair enqueues the school job)',
  rejected: 'school rejected (by design)',
  failedOnEditor: 'affiliation row FAILED on the Editor__c lookup, Editor__c now synced (recoverable: repair deletes and re-enqueues)',
  failedOnContact: 'affiliation row FAILED on the Contact lookup, Contact still not in Salesforce (upstream; never touched)',
  noAffiliationRow: 'staff roles but no affiliation row (recoverable: repair enqueues the role jobs)',
  noStaffRoles: 'only students or no roles (by design)',
  other: 'anything else: an affiliation row still on its way, or FAILED on a Contact that has since arrived (repair heals that)',
  deadLetter: 'jobs that ran out of executions or were rejected, in the dead-letter queue',
  waitingOnParent: 'sync jobs waiting in retry for a parent to reach Salesforce',
};

/** Reads the doctor's views (creating or refreshing them first when needed). */
export async function doctorReport(database: Pick<Database, 'db' | 'pool'>, options: { examples?: number } = {}): Promise<DoctorReport> {
  await doctorViewsEnsure(database);
  const examples = options.examples ?? 5;
  const classes: Record<string, DoctorClass> = {};
  for (const name of [...schoolClassNames, ...jobClassNames]) classes[name] = { count: 0, examples: [] };

  const view = (name: string) => sql`${sql.identifier(opsSchema)}.${sql.identifier(name)}`;
  const { rows: schoolRows } = await database.db.execute<{ class: string; count: number; examples: string[] }>(
    sql`SELECT class, count(*)::int AS count, (array_agg(school_id ORDER BY school_id))[1:${examples}] AS examples
        FROM ${view(doctorSchoolsView)} GROUP BY class`,
  );
  for (const row of schoolRows) classes[row.class] = { count: row.count, examples: row.examples };

  for (const name of jobClassNames) {
    const { rows } = await database.db.execute<{ count: number; examples: string[] | null }>(
      sql`SELECT count(*)::int AS count, (array_agg(queue_name || '/' || coalesce(record_id, job_id::text) ORDER BY job_id))[1:${examples}] AS examples
          FROM ${view(doctorViewName(name))}`,
    );
    classes[name] = { count: rows[0]?.count ?? 0, examples: rows[0]?.examples ?? [] };
  }
  const schoolsWithoutSyncedAffiliation = schoolClassNames.reduce((sum, name) => sum + (classes[name]?.count ?? 0), 0);
  const views = Object.fromEntries([...schoolClassNames, ...jobClassNames].map((name) => [name, `${opsSchema}.${doctorViewName(name)}`]));
  return { classes, schoolsWithoutSyncedAffiliation, views };
}

/** The report for a terminal: one line per class, with its meaning and examples. */
export function doctorReportText(report: DoctorReport): string {
  const width = Math.max(...Object.keys(report.classes).map((name) => name.length));
  const line = (name: string) => {
    const found = report.classes[name] ?? { count: 0, examples: [] };
    const examples = found.examples.length > 0 ? `\n${' '.repeat(width + 10)}e.g. ${found.examples.join(', ')}` : '';
    return `  ${name.padEnd(width)} ${String(found.count).padStart(6)}  ${doctorClassMeanings[name] ?? ''}${examples}`;
  };
  return [
    `Schools without a synced Contact_Editor_Affiliation__c: ${report.schoolsWithoutSyncedAffiliation}`,
    ...schoolClassNames.map(line),
    'Jobs:',
    ...jobClassNames.map(line),
    `Each class is a view: ${opsSchema}.doctor_<class> (e.g. ${report.views.failedOnEditor}).`,
  ].join('\n');
}

/** The `doctor` command: the report as text, or as one JSON object with `--json`. */
export async function doctorCommand({ database }: CommandContext, options: { json?: boolean; examples?: number }): Promise<void> {
  const report = await doctorReport(database, { examples: options.examples });
  process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : `${doctorReportText(report)}\n`);
}
