/**
 * The stand-in's settings: one schema with Connect's real defaults, validated once. Every
 * interval, delay and lag is in simulated seconds and is multiplied by `timeScale`, so a test
 * can run Connect's minutes in milliseconds.
 */
import { z } from 'zod';
import { silentLogger, type Logger } from '../log.ts';
import type { MirrorObjectSet } from '../mirror/object-set.ts';
import { ConnectSyncError } from '../errors.ts';

const seconds = z.number().min(0, 'zero or more seconds');
const perObjectSeconds = z.record(z.string(), seconds);

/** Entries sent per push round (one transaction), as Connect sends a Bulk API batch. */
export const pushRoundSizeDefault = 1000;

const settingsSchema = z.strictObject({
  /** Multiplies every interval, delay and lag: 1 is real time, 1/60 makes a minute a second. */
  timeScale: z.number().positive('a positive number').default(1),
  /** The trigger log is drained at least this often (Connect: 2 minutes). */
  pollIntervalSeconds: seconds.default(120),
  /** A NOTIFY wakes the engine, but never sooner than this after its last drain (Connect: 10 s). */
  minIntervalSeconds: seconds.default(10),
  /** Sent rows are read back (INSERTED/UPDATED → SYNCED, lookup ids filled) this often (Connect: 10 min). */
  readPollIntervalSeconds: seconds.default(600),
  /**
   * Object name → seconds an entry for it waits after being logged before it is sent. Entries
   * not yet due step aside and later due entries go ahead of them, so a child can overtake its
   * parent (as when a parent's mapping is slow or paused); due entries still go in log order.
   */
  pushDelaySeconds: perObjectSeconds.default({}),
  /** Object name → up to this many seconds added at random to each entry's delay. */
  pushJitterSeconds: perObjectSeconds.default({}),
  /**
   * Trigger-log entries sent per round, each round one transaction of a few statements per
   * object; 1 sends them one at a time, a round trip per row, as a SOAP fallback does.
   */
  pushRoundSize: z.number().int('a whole number').min(1, 'at least 1').default(pushRoundSizeDefault),
});

/** What the stand-in can be told; every field is optional. */
export interface ConnectSimOptions extends Partial<z.input<typeof settingsSchema>> {
  /** Pushes, failures and read-backs are logged here (a child logger `component: connect-sim`). */
  log?: Logger;
  /** The clock, in milliseconds; tests may pass one they move by hand. Default `Date.now`. */
  now?: () => number;
  /** Random numbers in [0, 1) for jitter. Default `Math.random`. */
  random?: () => number;
  /** Run the drains, read polls and deliveries on timers after `start()`. Default true; `drain()` always works. */
  timers?: boolean;
}

/** Validated settings with defaults, intervals already in milliseconds. */
export interface ConnectSimSettings {
  /** The objects whose mirror tables Connect syncs. */
  objects: MirrorObjectSet;
  pollIntervalMs: number;
  minIntervalMs: number;
  readPollIntervalMs: number;
  timeScale: number;
  pushRoundSize: number;
  /** Milliseconds an entry of this object waits, given a random number in [0, 1). */
  pushDelayMs(objectName: string, random: number): number;
  log: Logger;
  now: () => number;
  random: () => number;
  timers: boolean;
}

/** A Connect stand-in option that is not valid; the message names it and what it expects. */
export class ConnectSimOptionsError extends ConnectSyncError { readonly code = 'CONNECT_SIM_OPTIONS_INVALID'; }

/** Validates `options` and applies defaults; throws naming the first bad option. */
export function connectSimSettings(objects: MirrorObjectSet, options: ConnectSimOptions = {}): ConnectSimSettings {
  const { log, now, random, timers, ...rest } = options;
  const result = settingsSchema.safeParse(rest);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConnectSimOptionsError(`Invalid Connect stand-in option ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  const settings = result.data;
  for (const name of [...Object.keys(settings.pushDelaySeconds), ...Object.keys(settings.pushJitterSeconds)]) {
    if (!objects.named(name)) {
      const names = objects.objects.map((object) => object.name).join(', ');
      throw new ConnectSimOptionsError(`Invalid Connect stand-in option pushDelaySeconds: ${name} is not a mirror object (one of ${names})`);
    }
  }
  const ms = (value: number) => value * 1000 * settings.timeScale;
  return {
    objects,
    pollIntervalMs: ms(settings.pollIntervalSeconds),
    minIntervalMs: ms(settings.minIntervalSeconds),
    readPollIntervalMs: ms(settings.readPollIntervalSeconds),
    timeScale: settings.timeScale,
    pushRoundSize: settings.pushRoundSize,
    pushDelayMs: (objectName, randomValue) =>
      ms((settings.pushDelaySeconds[objectName] ?? 0) + (settings.pushJitterSeconds[objectName] ?? 0) * randomValue),
    log: (log ?? silentLogger).child({ component: 'connect-sim' }),
    now: now ?? Date.now,
    random: random ?? Math.random,
    timers: timers ?? true,
  };
}
