/**
 * `connect-sync doctor`: for every declared object, the mirror rows Connect left FAILED (by the
 * lookup they failed on, and whether that parent is in Salesforce now), the records with no
 * mirror row, the jobs waiting on a parent and the jobs that gave up; then each check a preset
 * adds (the editor's school classification). Read from the doctor's SQL functions, so psql and
 * this command always agree.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { CommandContext } from '../command-context.ts';
import type { Database, Drizzle } from '../db/database.ts';
import { identifierQuote } from '../db/sql-names.ts';
import type { SyncConfig } from '../sync-config.ts';
import { doctorRead } from './doctor-read.ts';
import { mirrorTableName } from '../mirror/mirror-table-name.ts';
import { mirrorTablesMissing } from '../mirror/mirror-tables-missing.ts';
import { doctorFunctions, doctorFunctionsEnsure, doctorSelectsWithout } from './doctor-functions.ts';
import { opsFunction, opsSchema } from './doctor-sql.ts';
import { doctorSetsCount } from './doctor-sets.ts';
import type { KeptSetCounted } from './kept-set-count.ts';
import { controlEscaped, operatorPrint } from './operator-text.ts';

/** One class: how many, and a few of them. */
export interface DoctorClass {
  count: number;
  /** Record ids (or `<queue>/<record id>` for jobs, a check's subject ids for its classes). */
  examples: string[];
}

/** FAILED rows of one object that failed on one lookup. */
export interface LookupFailures {
  /** The lookup column, e.g. `editor__r__editoruuid__c`. */
  lookup: string;
  /** The parent object it names. */
  parent: string;
  /** The parent is in Salesforce now: `repair` deletes the row and enqueues its job again. */
  parentSynced: DoctorClass;
  /** The parent is still missing: reported only, until it reaches Salesforce. */
  parentMissing: DoctorClass;
}

/** What the doctor found for one declared object. */
export interface ObjectHealth {
  object: string;
  queue: string;
  failedOnLookup: LookupFailures[];
  /** FAILED for any other reason (Salesforce refused a value): a person must look. */
  failedOther: DoctorClass;
  /** Records expected in Salesforce with no mirror row. */
  missingRows: DoctorClass;
  waitingOnParent: DoctorClass;
  deadLetter: DoctorClass;
  /** Records whose last job was discarded while syncing was off: `repair` enqueues them again. */
  discarded: DoctorClass;
  /**
   * Set while a mirror table its findings read does not exist (Connect reloading a mapping): the
   * tables, and whether its own is among them. Its FAILED rows are then not counted (reported as
   * 0), nor, when its own table is missing, its records without a mirror row.
   */
  mirrorTablesMissing?: { tables: string[]; ownTable: boolean };
}

/** A preset check's result: its subjects by class, in precedence order. */
export interface CheckReport {
  title: string;
  /** Subjects in any class. */
  count: number;
  classes: Record<string, DoctorClass & { meaning: string }>;
}

export interface DoctorReport {
  objects: ObjectHealth[];
  /** Every job in the dead-letter queue, whichever queue it came from (`<queue>/<record id>`). */
  deadLetters: DoctorClass;
  /** Those whose payload can never be valid: redrive would refuse them again; fix what sent them. */
  deadLettersInvalidPayload: DoctorClass;
  checks: Record<string, CheckReport>;
  /** The functions a person can query with psql for the same answer (`SELECT * FROM …`). */
  functions: Record<string, string>;
  /** Mirror tables missing now; while any is, the checks are not run (`checks` is empty). */
  mirrorTablesMissing: string[];
  /**
   * How each kept set (records with no mirror row, a check's subjects) was counted for this report:
   * from the rows changed since the last count, or whole, and why.
   */
  counted: KeptSetCounted[];
}

export interface DoctorReportOptions {
  /** Examples per class (5). */
  examples?: number;
  /** Count every kept set whole, not from the rows changed since the last count. */
  whole?: boolean;
  /** False: the config's checks are not read (`checks` is empty); the metrics need the per-object findings only. */
  checks?: boolean;
}

const empty = (): DoctorClass => ({ count: 0, examples: [] });

/** Where the report reads: the doctor's functions, or, while a mirror table is missing, their SELECTs over what can be read. */
interface ReportSource {
  relation(name: string): SQL;
  unread: ReturnType<typeof doctorSelectsWithout>['unread'];
  missing: string[];
}

/**
 * Reads the doctor's functions (creating or refreshing them first when needed), with JIT off.
 * While a mirror table is missing (Connect reloading a mapping) the functions cannot be read as a
 * whole: the report is read from their SELECTs over the objects whose findings read no missing
 * table, and marks the others (`mirrorTablesMissing`), so the rest stays in view.
 */
export async function doctorReport(database: Pick<Database, 'db' | 'pool'>, config: SyncConfig, options: DoctorReportOptions = {}): Promise<DoctorReport> {
  const missing = await mirrorTablesMissing(database.db, config.objects.objects);
  let source: ReportSource;
  if (missing.length > 0) {
    const { selects, unread } = doctorSelectsWithout(config.objects, missing);
    source = { relation: (name: string) => sql`(${selects.get(name)}) AS doctor_rows`, unread, missing: missing.map(mirrorTableName) };
  } else {
    await doctorFunctionsEnsure(database, config);
    source = { relation: opsFunction, unread: new Map(), missing: [] };
  }
  return doctorRead(database, async (reader) => {
    const counted = await doctorSetsCount(reader.db, config, { whole: options.whole === true });
    return { ...(await doctorReportRead(reader, config, options, source)), counted };
  });
}

async function doctorReportRead(database: { db: Pick<Drizzle, 'execute'> }, config: SyncConfig, options: DoctorReportOptions, source: ReportSource): Promise<Omit<DoctorReport, 'counted'>> {
  const examples = options.examples ?? 5;
  const grouped = async (from: string, keys: string, example: string, where = 'true') => {
    const { rows } = await database.db.execute<Record<string, unknown> & { count: number; examples: string[] }>(
      sql`SELECT ${sql.raw(keys)}, count(*)::int AS count, (array_agg(${sql.raw(example)} ORDER BY ${sql.raw(example)}))[1:${examples}] AS examples
          FROM ${source.relation(from)} WHERE ${sql.raw(where)} GROUP BY ${sql.raw(keys)}`,
    );
    return rows;
  };
  const failed = await grouped(doctorFunctions.failedRows, 'object_name, lookup_column, parent_name, parent_synced', 'record_id');
  const missing = await grouped(doctorFunctions.missingRows, 'object_name', 'record_id');
  const waiting = await grouped(doctorFunctions.waitingOnParent, 'queue_name', `queue_name || '/' || coalesce(record_id, job_id::text)`);
  const deadLabel = `coalesce(queue_name, '(sent directly)') || '/' || coalesce(record_id, job_id::text)`;
  const dead = await grouped(doctorFunctions.deadLetter, 'queue_name', deadLabel);
  const discarded = await grouped(doctorFunctions.discarded, 'queue_name', 'record_id');
  const [deadLetters] = await grouped(doctorFunctions.deadLetter, `'all'::text`, deadLabel);
  const [invalidPayload] = await grouped(doctorFunctions.deadLetter, `'all'::text`, deadLabel, `error_name = 'PayloadInvalidError'`);
  const found = (row: { count: number; examples: string[] } | undefined): DoctorClass => (row ? { count: row.count, examples: row.examples } : empty());

  const objects = config.objects.objects.map((object): ObjectHealth => {
    const mine = failed.filter((row) => row.object_name === object.name);
    return {
      object: object.name,
      queue: object.queueName,
      failedOnLookup: config.objects.parentLookups(object).map((lookup) => {
        const on = mine.filter((row) => row.lookup_column === lookup.column);
        return {
          lookup: lookup.column,
          parent: lookup.parent.name,
          parentSynced: found(on.find((row) => row.parent_synced === true)),
          parentMissing: found(on.find((row) => row.parent_synced !== true)),
        };
      }),
      failedOther: found(mine.find((row) => row.lookup_column === null)),
      missingRows: found(missing.find((row) => row.object_name === object.name)),
      waitingOnParent: found(waiting.find((row) => row.queue_name === object.queueName)),
      deadLetter: found(dead.find((row) => row.queue_name === object.queueName)),
      discarded: found(discarded.find((row) => row.queue_name === object.queueName)),
      ...(source.unread.has(object) ? { mirrorTablesMissing: source.unread.get(object) } : {}),
    };
  });

  const checks: Record<string, CheckReport> = {};
  const functions: Record<string, string> = Object.fromEntries(Object.entries(doctorFunctions).map(([key, name]) => [key, `${opsSchema}.${name}()`]));
  // A preset's check may read any mirror table: run once they are all there.
  for (const check of source.missing.length > 0 || options.checks === false ? [] : config.doctorChecks) {
    // A host writes the column's name: quoted, whatever it holds.
    const rows = await grouped(check.function, 'class', identifierQuote(check.subjectColumn));
    const classes: CheckReport['classes'] = {};
    for (const { name, meaning } of check.classes(config.objects)) classes[name] = { ...found(rows.find((row) => row.class === name)), meaning };
    checks[check.name] = { title: check.title, count: rows.reduce((sum, row) => sum + row.count, 0), classes };
    for (const { name } of check.functions(config.objects)) functions[name] = `${opsSchema}.${name}()`;
  }
  return { objects, deadLetters: found(deadLetters), deadLettersInvalidPayload: found(invalidPayload), checks, functions, mirrorTablesMissing: source.missing };
}

/**
 * What an object's findings cannot say now, in one line: `mirror table salesforce.contact does not
 * exist now …`; undefined when every finding was read.
 */
export function objectUnreadText(health: ObjectHealth): string | undefined {
  const missing = health.mirrorTablesMissing;
  if (!missing) return undefined;
  const tables = missing.tables.join(', ');
  const plural = missing.tables.length > 1;
  const uncounted = missing.ownTable ? 'its FAILED rows and records without a mirror row are' : 'its FAILED rows are';
  return `mirror table${plural ? 's' : ''} ${tables} ${plural ? 'do' : 'does'} not exist now (Heroku Connect drops and makes one again when a mapping is reloaded): ${uncounted} counted once ${plural ? 'they are' : 'it is'} back`;
}

/** Why the checks are missing from a report, in one line; undefined when they ran. */
export function checksUnreadText(report: Pick<DoctorReport, 'mirrorTablesMissing'>): string | undefined {
  if (report.mirrorTablesMissing.length === 0) return undefined;
  return `The checks run once the mirror tables are all there again (missing now: ${report.mirrorTablesMissing.join(', ')}).`;
}

/**
 * How the records with no mirror row were looked for, in one line: from the rows changed since
 * the last count, or over every record and why (--whole, a mirror row deleted, a day since).
 */
export function countedText(report: Pick<DoctorReport, 'counted'>): string | undefined {
  const whole = report.counted.filter((counted) => counted.count === 'whole');
  if (report.counted.length === 0) return undefined;
  if (whole.length === 0) return 'Records with no mirror row: looked for among the rows changed since the last count (connect-sync doctor --whole looks at every record).';
  const reasons = [...new Set(whole.map((counted) => counted.reason))].join('; ');
  if (whole.length === report.counted.length) return `Records with no mirror row: looked for over every record (${reasons}).`;
  const sets = whole.map((counted) => counted.set).join(', ');
  return `Records with no mirror row: looked for over every record for ${sets} (${reasons}), among the rows changed since the last count for the rest.`;
}

/** The report for a terminal: per object, what needs a look; then each check's classes. */
export function doctorReportText(report: DoctorReport): string {
  const lines: string[] = [];
  // Examples are keys from the database: shown escaped, so none can forge a line or move the cursor.
  const examplesText = (found: DoctorClass) => found.examples.map(controlEscaped).join(', ');
  const count = (found: DoctorClass) => (found.count === 0 ? '0' : `${found.count} (e.g. ${examplesText(found)})`);
  for (const health of report.objects) {
    const parts = [
      ...health.failedOnLookup.flatMap((failure) => [
        failure.parentSynced.count > 0 ? `  FAILED on ${failure.parent}, now synced (repair heals): ${count(failure.parentSynced)}` : [],
        failure.parentMissing.count > 0 ? `  FAILED on ${failure.parent}, which is still not in Salesforce (reported only): ${count(failure.parentMissing)}` : [],
      ]).flat(),
      health.failedOther.count > 0 ? `  FAILED for another reason (look at _hc_err): ${count(health.failedOther)}` : [],
      health.missingRows.count > 0 ? `  no mirror row: ${count(health.missingRows)}` : [],
      health.waitingOnParent.count > 0 ? `  jobs waiting on a parent: ${count(health.waitingOnParent)}` : [],
      health.deadLetter.count > 0 ? `  dead-lettered jobs: ${count(health.deadLetter)}` : [],
      health.discarded.count > 0 ? `  jobs discarded while syncing was off (repair enqueues them again): ${count(health.discarded)}` : [],
    ].flat();
    const unread = objectUnreadText(health);
    if (unread) parts.unshift(`  ${unread}`);
    lines.push(`${health.object} (${health.queue}): ${parts.length === 0 ? 'healthy' : ''}`.trimEnd(), ...parts);
  }
  const checksUnread = checksUnreadText(report);
  if (checksUnread) lines.push('', checksUnread);
  for (const check of Object.values(report.checks)) {
    lines.push('', `${check.title}: ${check.count}`);
    const width = Math.max(...Object.keys(check.classes).map((name) => name.length));
    for (const [name, found] of Object.entries(check.classes)) {
      const examples = found.examples.length > 0 ? `\n${' '.repeat(width + 10)}e.g. ${examplesText(found)}` : '';
      lines.push(`  ${name.padEnd(width)} ${String(found.count).padStart(6)}  ${found.meaning}${examples}`);
    }
  }
  if (report.deadLetters.count > 0) {
    const invalid = report.deadLettersInvalidPayload.count;
    const redrivable = report.deadLetters.count - invalid;
    lines.push(
      `Dead-lettered jobs in all: ${count(report.deadLetters)}` +
        (redrivable > 0 ? `; ${redrivable} can be sent back once their cause is fixed (connect-sync redrive)` : '') +
        (invalid > 0 ? `; ${invalid} have a payload that can never be valid (e.g. ${examplesText(report.deadLettersInvalidPayload)}): fix what sent them, redrive would refuse them again` : ''),
    );
  }
  const counted = countedText(report);
  if (counted) lines.push('', counted);
  lines.push('', `Each part is a function in ${opsSchema} (e.g. SELECT * FROM ${report.functions.failedRows}); connect-sync repair lists what would heal.`);
  return lines.join('\n');
}

/** The `doctor` command: the report as text, or as one JSON object with `--json`. */
export async function doctorCommand({ database, config }: CommandContext, options: { json?: boolean; examples?: number; whole?: boolean }): Promise<void> {
  const report = await doctorReport(database, config, { whole: options.whole === true, ...(options.examples === undefined ? {} : { examples: options.examples }) });
  operatorPrint(options.json ? JSON.stringify(report) : doctorReportText(report));
}
