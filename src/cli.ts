/** The `connect-sync` command line: wiring only; each command's work lives in its own module. */
import { Command } from 'commander';
import { commandRun } from './command-context.ts';
import { migrateApp, migrateMirror } from './db/migrate.ts';
import { retryScheduleLines } from './queue/retry-schedule.ts';
import { shutdownSignal, workerStart } from './worker/worker-process.ts';

const program = new Command('connect-sync')
  .description('Sync app records into Heroku Connect mirror tables, parents first.')
  .showHelpAfterError();

program
  .command('migrate')
  .description('bring the app tables and the queue schema up to date (the release step)')
  .option('--mirror', 'also create the Heroku Connect mirror tables (development and tests only)')
  .action((options: { mirror?: boolean }) =>
    commandRun(async ({ database, log }) => {
      await migrateApp(database, log);
      if (options.mirror) await migrateMirror(database, log);
    }),
  );

program
  .command('worker')
  .description('run every sync queue until SIGTERM (one Heroku worker dyno, or alongside the app)')
  .action(() =>
    commandRun(async ({ database, log, settings }) => {
      const signal = shutdownSignal();
      const worker = await workerStart(database, log, settings);
      log.info({ signal: await signal }, 'shutdown requested');
      await worker.stop();
    }),
  );

program
  .command('retry-schedule')
  .description('print how long a job waiting on a parent waits between executions, and when it gives up')
  .action(() => console.log(retryScheduleLines().join('\n')));

await program.parseAsync();
