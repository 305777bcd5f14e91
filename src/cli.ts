/** The `connect-sync` command line: wiring only; each command's work lives in its own module. */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { positiveNumber, wholeNumber } from './cli-arguments.ts';
import { commandRun } from './command-context.ts';
import { syncConfigLoad } from './config-file.ts';
import type { ConnectSimCommandOptions } from './connect-sim/command.ts';

// Each command imports its own modules when it runs, so the worker never loads the dashboard,
// the demo or the stand-in (measured: ~11 MB less resident memory for a worker dyno).

/** This package's version, read from its package.json (one folder up from src/ and from dist/). */
const packageVersion = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const program = new Command('connect-sync')
  .description('Sync app records into Heroku Connect mirror tables, parents first.')
  .version(packageVersion, '-v, --version', 'print the version')
  .option('--config <file>', 'the config file declaring your objects (default: CONNECT_SYNC_CONFIG, else connect-sync.config.ts/.mjs/.js here)')
  // A usage error is its line and a hint, not the whole help (commands defined below inherit this).
  .showHelpAfterError('(run connect-sync --help, or connect-sync <command> --help, for usage)')
  // One exit-code rule for every command: 2 for a usage or configuration error (here: an unknown
  // command or option, a bad argument), 1 for a command that ran and failed (command-context.ts).
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));

/** The host's declarations: --config, CONNECT_SYNC_CONFIG or a config file here; none is an error. */
const loadConfig = () => {
  sourceConditionEnsure();
  return syncConfigLoad({ path: program.opts<{ config?: string }>().config ?? (process.env.CONNECT_SYNC_CONFIG || undefined) });
};

/**
 * From the sources (a checkout), what a config imports of connect-sync must be these same sources,
 * not the build: restarts once, same pid, with the condition package.json maps to src/.
 */
function sourceConditionEnsure(): void {
  const condition = 'connect-sync-source';
  if (!import.meta.url.endsWith('.ts') || typeof process.execve !== 'function') return;
  if ([...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((argument) => argument.includes(condition))) return;
  process.execve(process.execPath, [process.execPath, `--conditions=${condition}`, ...process.execArgv, ...process.argv.slice(1)], process.env);
}

/** The demo's objects: it is the editor preset's demo, whatever the config names. */
const demoConfig = async () => ({ config: (await import('./editor/preset.ts')).editorConfig, source: 'the editor preset (the demo runs on it)' });

program
  .command('migrate')
  .description('bring the queue schema and a queue per declared object up to date (the release step)')
  .option('--mirror', 'also create the Heroku Connect mirror tables of the declared objects (development and tests only)')
  .option('--views', "also create the doctor's SQL functions over the mirror (production: once Connect has made the mirror tables)")
  .action((options: { mirror?: boolean; views?: boolean }) =>
    commandRun(loadConfig, async ({ database, config, log }) => {
      const { migrateQueue } = await import('./schema/migrate.ts');
      await migrateQueue(database, config, log);
      if (options.mirror) await (await import('./connect-sim/mirror-tables.ts')).mirrorTablesCreate(database, config.objects, log);
      if (options.mirror || options.views) await (await import('./ops/doctor-functions.ts')).doctorFunctionsEnsure(database, config);
    }, undefined, { role: 'command' }),
  );

program
  .command('worker')
  .description('run every sync queue until SIGTERM (one Heroku worker dyno, or alongside the app)')
  .action(() =>
    commandRun(
      loadConfig,
      async ({ database, config, log, settings }) => {
        const [{ runUntilShutdown }, { workerStart }, { workerConfigFromSettings }] = await Promise.all([
          import('./shutdown.ts'),
          import('./worker/worker-process.ts'),
          import('./config.ts'),
        ]);
        await runUntilShutdown(log, (signal) => workerStart(database, config, log, { ...workerConfigFromSettings(settings), signal }));
      },
      undefined,
      // The worker waits for an unreachable database (a failover, a restart) instead of exiting.
      { verify: false, role: 'worker' },
    ),
  );

program
  .command('dashboard')
  .description('serve the dashboard (queues, doctor, jobs) on PORT, behind DASHBOARD_USER / DASHBOARD_PASSWORD')
  .action(() =>
    commandRun(
      loadConfig,
      async ({ database, config, log, settings }) => {
        const [{ runUntilShutdown }, { dashboardStart }] = await Promise.all([import('./shutdown.ts'), import('./dashboard/dashboard-server.ts')]);
        await runUntilShutdown(log, () => dashboardStart(database, config, log, settings));
      },
      undefined,
      { role: 'dashboard', migrated: true },
    ),
  );

program
  .command('demo')
  .description('reproduce the race that loses affiliations, without and with the parent guard, and report it')
  .option('--schools <n>', 'schools in the workload (default: 40)', wholeNumber(1, 2000))
  .option('--seed <n>', 'seed for the workload, to repeat a run (default: 1)', wholeNumber(0, 2 ** 31))
  .option('--time-scale <x>', 'real seconds per simulated second (default: 1/700)', positiveNumber)
  .option('--json', 'print the result as one JSON object')
  .action((options: { schools?: number; seed?: number; timeScale?: number; json?: boolean }) =>
    commandRun(
      demoConfig,
      async ({ database }) => {
        const { demoCommand, demoDefaults } = await import('./demo/demo-command.ts');
        const passed = await demoCommand(database, {
          schools: options.schools ?? demoDefaults.schools,
          seed: options.seed ?? demoDefaults.seed,
          timeScale: options.timeScale ?? demoDefaults.timeScale,
          json: options.json ?? false,
          logFile: demoDefaults.logFile,
        });
        if (!passed) process.exitCode = 1;
      },
      undefined,
      // This repository's own development command: without DATABASE_URL, its embedded server.
      { embeddedByDefault: true },
    ),
  );

program
  .command('retry-schedule')
  .description('print how long a job waiting on a parent waits between executions, and when it gives up')
  .action(async () => console.log((await import('./queue/retry-schedule.ts')).retryScheduleLines().join('\n')));

program
  .command('connect-sim')
  .description('run the local Heroku Connect stand-in against the database (development only)')
  .option('--install', 'first install its triggers, trigger log and simulated org (after migrate --mirror)')
  .option('--time-scale <factor>', 'multiply every interval, delay and lag (1/60 turns minutes into seconds)')
  .option('--poll-interval <seconds>', 'drain the trigger log at least this often (Connect: 120)')
  .option('--min-interval <seconds>', 'but on NOTIFY never sooner than this after the last drain (Connect: 10)')
  .option('--read-poll-interval <seconds>', 'read sent rows back this often (Connect: 600)')
  .option('--push-round-size <entries>', 'send at most this many trigger-log entries per round, one transaction (default 1000; 1 sends one at a time)')
  .option('--push-delay <Object=seconds...>', 'hold entries of an object this long before sending them, e.g. Editor__c=30')
  .action((options: ConnectSimCommandOptions) =>
    commandRun(loadConfig, async ({ database, config, log }) =>
      (await import('./connect-sim/command.ts')).connectSimCommandRun(database, config.objects, log, options),
    ),
  );

program
  .command('doctor')
  .description("per object: rows Connect left FAILED and why, records with no mirror row, jobs waiting or given up; then the config's own checks")
  .option('--json', 'print one JSON object: { "objects": [...], "deadLetters", "checks", "views" }')
  .option('--check', 'an alert for cron: exit 1 when a limit below is crossed, 0 otherwise, with one line each')
  .option('--max-failed-rows <n>', 'with --check: FAILED mirror rows allowed (default: 0)', wholeNumber(0, 2 ** 31))
  .option('--max-dead-letters <n>', 'with --check: dead-lettered jobs allowed (default: 0)', wholeNumber(0, 2 ** 31))
  .option('--max-oldest-wait-seconds <n>', 'with --check: seconds a record may wait on a parent (default: 3600)', wholeNumber(0, 2 ** 31))
  .option('--whole', 'count records with no mirror row (and the checks) over every record, not from the rows changed since the last count')
  .action((options: { json?: boolean; check?: boolean; maxFailedRows?: number; maxDeadLetters?: number; maxOldestWaitSeconds?: number; whole?: boolean }) =>
    commandRun(
      loadConfig,
      async (context) => {
        if (!options.check) return (await import('./ops/doctor-report.ts')).doctorCommand(context, options);
        const { doctorCheckCommand, doctorThresholdDefaults } = await import('./ops/doctor-thresholds.ts');
        const given = { maxFailedRows: options.maxFailedRows, maxDeadLetters: options.maxDeadLetters, maxOldestWaitSeconds: options.maxOldestWaitSeconds };
        const limits = { ...doctorThresholdDefaults, ...Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)) };
        await doctorCheckCommand(context, limits, options);
      },
      undefined,
      { role: 'command', migrated: true },
    ),
  );

program
  .command('repair')
  .description('list what would heal the recoverable failures (dry run); --apply does it, item by item')
  .option('--apply', 'delete FAILED rows whose parents are now synced and enqueue their jobs again; enqueue lost and discarded jobs')
  .option('--whole', 'look for records with no mirror row over every record, not from the rows changed since the last count')
  .action((options: { apply?: boolean; whole?: boolean }) =>
    commandRun(loadConfig, async (context) => (await import('./ops/repair.ts')).repairCommand(context, options), undefined, { role: 'command', migrated: true }),
  );

program
  .command('backfill')
  .description('enqueue a sync job for every record of an object, skipping records with a job waiting')
  .argument('<object>', "all, or one declared object: its queue (the part after salesforce-sync.) or its Salesforce name")
  .action((object: string) =>
    commandRun(
      loadConfig,
      async (context) => (await import('./ops/backfill.ts')).backfillCommand(context, object),
      (config) => config.objects.select(object),
      { role: 'command', migrated: true },
    ),
  );

program
  .command('redrive')
  .description('send dead-lettered sync jobs back to their queues once what they waited for is fixed')
  .argument('[object]', "all (the default), or one declared object: its queue or its Salesforce name", 'all')
  .option('--apply', 'move them (without it, only says what would move)')
  .action((object: string, options: { apply?: boolean }) =>
    commandRun(
      loadConfig,
      async (context) => (await import('./ops/redrive.ts')).redriveCommand(context, object, options),
      (config) => config.objects.select(object),
      { role: 'command', migrated: true },
    ),
  );

await program.parseAsync();
