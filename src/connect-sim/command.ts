/**
 * `connect-sync connect-sim`: the stand-in as a process of its own against DATABASE_URL (or the
 * embedded Postgres), until SIGINT or SIGTERM. It logs one line per push round and one per failure.
 */
import type { Database } from '../db/database.ts';
import type { Logger } from '../log.ts';
import type { MirrorObjectSet } from '../mirror/object-set.ts';
import { runUntilShutdown } from '../shutdown.ts';
import { ConnectSim } from './connect-sim.ts';
import { connectSimInstall } from './install.ts';
import type { ConnectSimOptions } from './options.ts';

/** The command line's options, as commander hands them over (strings). */
export interface ConnectSimCommandOptions {
  install?: boolean;
  timeScale?: string;
  pollInterval?: string;
  minInterval?: string;
  readPollInterval?: string;
  pushRoundSize?: string;
  /** `Object=seconds`, repeatable: `Editor__c=30`. */
  pushDelay?: string[];
}

/** Runs the stand-in until the process is told to stop. */
export async function connectSimCommandRun(database: Database, objects: MirrorObjectSet, log: Logger, options: ConnectSimCommandOptions): Promise<void> {
  if (options.install) await connectSimInstall(database, objects, log);
  const settings = connectSimCommandSettings(options);
  await runUntilShutdown(log, async () => {
    const sim = new ConnectSim(database, objects, { ...settings, log });
    await sim.start();
    return sim;
  });
}

/** The command line's strings as stand-in options; a bad number stops with a message naming the option. */
export function connectSimCommandSettings(options: ConnectSimCommandOptions): ConnectSimOptions {
  const settings: ConnectSimOptions = {};
  if (options.timeScale !== undefined) settings.timeScale = numberOption('--time-scale', options.timeScale);
  if (options.pollInterval !== undefined) settings.pollIntervalSeconds = numberOption('--poll-interval', options.pollInterval);
  if (options.minInterval !== undefined) settings.minIntervalSeconds = numberOption('--min-interval', options.minInterval);
  if (options.readPollInterval !== undefined) settings.readPollIntervalSeconds = numberOption('--read-poll-interval', options.readPollInterval);
  if (options.pushRoundSize !== undefined) settings.pushRoundSize = numberOption('--push-round-size', options.pushRoundSize);
  if (options.pushDelay?.length) {
    settings.pushDelaySeconds = Object.fromEntries(
      options.pushDelay.map((pair) => {
        const [name, seconds] = pair.split('=');
        if (!name || seconds === undefined) throw new Error(`--push-delay expects Object=seconds, e.g. Editor__c=30, not ${pair}`);
        return [name, numberOption('--push-delay', seconds)];
      }),
    );
  }
  return settings;
}

function numberOption(flag: string, value: string): number {
  // A fraction reads better for a time scale: 1/60 makes a minute a second.
  const fraction = /^\s*([0-9.]+)\s*\/\s*([0-9.]+)\s*$/.exec(value);
  const number = fraction ? Number(fraction[1]) / Number(fraction[2]) : Number(value);
  if (value.trim() === '' || !Number.isFinite(number)) throw new Error(`${flag} expects a number, not ${value}`);
  return number;
}
