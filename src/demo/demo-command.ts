/**
 * `connect-sync demo` (what `npm start` runs): the seed's race, reproduced twice on a fresh
 * database, without the parent guard and with it, reported as a table and checked.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import { pino } from 'pino';
import type { Database } from '../db/database.ts';
import type { DemoOutcome } from './demo-measure.ts';
import { demoChecks, demoReportLines, type DemoCheck, type DemoResult } from './demo-report.ts';
import { demoRun } from './demo-run.ts';
import { demoWorkloadPlan } from './demo-workload.ts';

export interface DemoOptions {
  schools: number;
  seed: number;
  /** Real seconds per simulated second. */
  timeScale: number;
  /** Where the runs' logs go (the terminal keeps the table). */
  logFile: string;
  /** Names of the two databases the runs create, before `_guard_off` / `_guard_on`. */
  databasePrefix?: string;
}

export interface DemoCommandOptions extends DemoOptions {
  json: boolean;
}

/** The default scale fits the 4.5-hour wait bound (PARENT_WAIT_MAX_SECONDS) into about 23 seconds. */
export const demoDefaults = { schools: 40, seed: 1, timeScale: 1 / 700, logFile: '.data/demo.log' } as const;

/** Runs the workload without the guard, then with it, and checks the outcome. */
export async function demoExecute(
  server: Pick<Database, 'url' | 'ssl'>,
  options: DemoOptions,
  onRun: (guard: boolean) => { progress?: (settled: number, total: number) => void; done?: () => void } = () => ({}),
): Promise<{ result: DemoResult; checks: DemoCheck[] }> {
  const workload = demoWorkloadPlan(options.schools, options.seed);
  const logFile = resolve(options.logFile);
  mkdirSync(dirname(logFile), { recursive: true });
  const log = pino({ level: 'info' }, pino.destination({ dest: logFile, sync: true }));
  const outcomes: DemoOutcome[] = [];
  for (const guard of [false, true]) {
    const watch = onRun(guard);
    outcomes.push(
      await demoRun(server, { guard, workload, timeScale: options.timeScale, log, onProgress: watch.progress, databasePrefix: options.databasePrefix }),
    );
    watch.done?.();
  }
  const result = { guardOff: outcomes[0]!, guardOn: outcomes[1]! };
  return { result, checks: demoChecks(result, workload) };
}

/** Runs the demo with progress bars and prints the table (or JSON); returns false when a check failed. */
export async function demoCommand(server: Pick<Database, 'url' | 'ssl'>, options: DemoCommandOptions): Promise<boolean> {
  const say = (text: string) => (options.json ? process.stderr : process.stdout).write(`${text}\n`);
  say(
    `connect-sync demo: ${options.schools} schools (seed ${options.seed}); Connect pushes each Editor__c up to 11 min after it is written; ` +
      `simulated time runs ${Math.round(1 / options.timeScale)}× faster. Logs: ${options.logFile}`,
  );
  const { result, checks } = await demoExecute(server, options, (guard) => {
    if (!process.stderr.isTTY) return {};
    const format = `  guard ${guard ? 'on ' : 'off'} [{bar}] {value}/{total} sync jobs settled`;
    const bar = new SingleBar({ format, stream: process.stderr, hideCursor: true });
    bar.start(1, 0);
    return {
      progress: (settled, total) => {
        bar.setTotal(Math.max(total, 1));
        bar.update(settled);
      },
      done: () => bar.stop(),
    };
  });
  if (options.json) process.stdout.write(`${JSON.stringify({ ...result, checks }, null, 2)}\n`);
  else say(['', ...demoReportLines(result, checks)].join('\n'));
  return checks.every((check) => check.ok);
}
