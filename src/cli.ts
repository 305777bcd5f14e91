/** The `connect-sync` command line: wiring only; each command's work lives in its own module. */
import { Command } from 'commander';
import { commandRun } from './command-context.ts';
import { migrateApp, migrateMirror } from './db/migrate.ts';

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

await program.parseAsync();
