/**
 * The local Heroku Connect stand-in, whole: the sync engine (woken by NOTIFY, at most every
 * `minIntervalSeconds`, at least every `pollIntervalSeconds`), the read poll, and the upstream
 * Contact pipeline, over a simulated org. Runs in-process (tests, the demo) or as the
 * `connect-sync connect-sim` command. Its sessions set `xmlbinary = 'hex'`, as real Connect's
 * differ from an app's, so the mirror's triggers neither mark nor log what it writes.
 *
 * Every step runs one at a time: timers, NOTIFY and `drain()` queue behind each other.
 */
import pg from 'pg';
import { poolConnectionsGuard } from '../db/connection-loss.ts';
import type { Database } from '../db/database.ts';
import { identifierQuote } from '../db/sql-names.ts';
import { ConnectSyncError } from '../errors.ts';
import type { MirrorObjectSet } from '../mirror/object-set.ts';
import { ContactPipeline } from './contact-pipeline.ts';
import { connectSimInstalled } from './install.ts';
import { connectSimSettings, type ConnectSimOptions, type ConnectSimSettings } from './options.ts';
import { mirrorReadPoll } from './read-poll.ts';
import { SyncEngine, type PushPassResult } from './sync-engine.ts';
import { triggerLogChannel } from './trigger-functions.ts';

/** What one `drain()` did. */
export interface DrainResult {
  /** Contacts the upstream pipeline delivered to the mirror. */
  contactsDelivered: number;
  /** Trigger-log entries sent successfully. */
  pushed: number;
  /** Trigger-log entries that failed (for good). */
  failed: number;
  /** Mirror rows read back and marked SYNCED. */
  synced: number;
}

/** The stand-in's tables and triggers are not in this database (`connect-sync connect-sim --install`). */
export class ConnectSimNotInstalledError extends ConnectSyncError { readonly code = 'CONNECT_SIM_NOT_INSTALLED'; }

/** The Connect stand-in: `start()`, `stop()`, and `drain()` for tests. */
export class ConnectSim {
  /** The upstream pipeline: `contacts.schedule(userId, { lagSeconds })`, `contacts.never(userId)`. */
  readonly contacts: ContactPipeline;
  readonly #settings: ConnectSimSettings;
  readonly #engine: SyncEngine;
  readonly #pool: pg.Pool;
  readonly #connection: pg.ClientConfig;
  #listener: pg.Client | undefined;
  #work: Promise<unknown> = Promise.resolve();
  #lastPushAt = -Infinity;
  #pushWake: { at: number; timer: NodeJS.Timeout } | undefined;
  #contactWake: NodeJS.Timeout | undefined;
  #intervals: NodeJS.Timeout[] = [];
  #running = false;
  #closed = false;

  /**
   * A stand-in syncing the mirror tables of `objects` in `database` (only its URL and TLS are
   * used: it opens Connect sessions of its own).
   */
  constructor(database: Pick<Database, 'url' | 'ssl'>, objects: MirrorObjectSet, options: ConnectSimOptions = {}) {
    this.#settings = connectSimSettings(objects, options);
    this.#engine = new SyncEngine(this.#settings);
    this.contacts = new ContactPipeline(objects, { now: this.#settings.now, timeScale: this.#settings.timeScale, onSchedule: () => this.#contactWakeSet() });
    this.#connection = {
      connectionString: database.url,
      ssl: database.ssl,
      application_name: 'connect-sim',
      // Connect's sessions are recognised by xmlbinary; TimeZone as the app's, since mirror timestamps are UTC.
      options: '-c xmlbinary=hex -c TimeZone=UTC',
    };
    this.#pool = new pg.Pool({ ...this.#connection, max: 2 });
    // A connection lost (a terminated backend, a restart) fails the step on it; the next step reconnects.
    poolConnectionsGuard(this.#pool);
  }

  /** Listens for NOTIFY and starts the timers (unless `timers: false`). */
  async start(): Promise<void> {
    if (this.#running) return;
    if (!(await connectSimInstalled({ pool: this.#pool }, this.#settings.objects))) {
      throw new ConnectSimNotInstalledError('The Connect stand-in is not installed in this database: run connect-sync connect-sim --install (after migrate --mirror).');
    }
    this.#running = true;
    if (!this.#settings.timers) return;
    const listener = new pg.Client(this.#connection);
    listener.on('error', (error) => this.#settings.log.error({ err: error }, 'NOTIFY listener failed'));
    listener.on('notification', () => this.#pushWakeSet(this.#lastPushAt + this.#settings.minIntervalMs));
    await listener.connect();
    await listener.query(`LISTEN ${identifierQuote(triggerLogChannel(this.#settings.objects.mirrorSchema))}`);
    this.#listener = listener;
    this.#intervals.push(setInterval(() => this.#pushWakeSet(this.#settings.now()), this.#settings.pollIntervalMs));
    this.#intervals.push(setInterval(() => void this.#background(() => this.readPoll()), this.#settings.readPollIntervalMs));
    // Entries logged while Connect was down are sent at once.
    this.#pushWakeSet(this.#settings.now());
    this.#contactWakeSet();
    this.#settings.log.info({ timeScale: this.#settings.timeScale }, 'Connect stand-in started');
  }

  /** Stops the timers and the listener, waits for the step under way, and closes its sessions. */
  async stop(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const wasRunning = this.#running;
    this.#running = false;
    for (const interval of this.#intervals) clearInterval(interval);
    this.#intervals = [];
    if (this.#pushWake) clearTimeout(this.#pushWake.timer);
    this.#pushWake = undefined;
    if (this.#contactWake) clearTimeout(this.#contactWake);
    this.#contactWake = undefined;
    await this.#listener?.end().catch(() => undefined);
    this.#listener = undefined;
    await this.#work.catch(() => undefined);
    await this.#pool.end();
    if (wasRunning) this.#settings.log.info('Connect stand-in stopped');
  }

  /**
   * Does everything due now, once: delivers due Contacts, sends every due trigger-log entry in
   * order, then reads sent rows back. Entries still waiting on a push delay are left waiting.
   */
  drain(): Promise<DrainResult> {
    return this.#serial(async () => {
      const contactsDelivered = await this.contacts.deliverDue(this.#pool);
      const pass = await this.#pushPass();
      const synced = await mirrorReadPoll(this.#pool, this.#settings.objects);
      return { contactsDelivered, pushed: pass.pushed, failed: pass.failed, synced };
    });
  }

  /** Sends every due trigger-log entry, and nothing else (rows are left INSERTED/UPDATED). */
  pushDue(): Promise<PushPassResult> {
    return this.#serial(() => this.#pushPass());
  }

  /** The read poll alone: INSERTED/UPDATED rows become SYNCED, lookup ids are filled. */
  readPoll(): Promise<number> {
    return this.#serial(() => mirrorReadPoll(this.#pool, this.#settings.objects));
  }

  /** Delivers the Contacts due now, alone. */
  contactsDeliver(): Promise<number> {
    return this.#serial(() => this.contacts.deliverDue(this.#pool));
  }

  async #pushPass(): Promise<PushPassResult> {
    this.#lastPushAt = this.#settings.now();
    const result = await this.#engine.pushDue(this.#pool);
    if (result.nextDueAt !== undefined) this.#pushWakeSet(Math.max(result.nextDueAt, this.#lastPushAt + this.#settings.minIntervalMs));
    return result;
  }

  #serial<T>(step: () => Promise<T>): Promise<T> {
    const run = this.#work.then(step, step);
    this.#work = run.catch(() => undefined);
    return run;
  }

  async #background(step: () => Promise<unknown>): Promise<void> {
    if (!this.#running) return;
    try {
      await step();
    } catch (error) {
      this.#settings.log.error({ err: error }, `Connect stand-in step failed: ${(error as Error).message}`);
    }
  }

  #pushWakeSet(at: number): void {
    if (!this.#running || !this.#settings.timers) return;
    if (this.#pushWake && this.#pushWake.at <= at) return;
    if (this.#pushWake) clearTimeout(this.#pushWake.timer);
    const timer = setTimeout(() => {
      this.#pushWake = undefined;
      void this.#background(() => this.pushDue());
    }, Math.max(0, at - this.#settings.now()));
    this.#pushWake = { at, timer };
  }

  #contactWakeSet(): void {
    if (!this.#running || !this.#settings.timers) return;
    if (this.#contactWake) clearTimeout(this.#contactWake);
    this.#contactWake = undefined;
    const at = this.contacts.nextDueAt();
    if (at === undefined) return;
    this.#contactWake = setTimeout(() => {
      this.#contactWake = undefined;
      void this.#background(async () => {
        await this.contactsDeliver();
        this.#contactWakeSet();
      });
    }, Math.max(0, at - this.#settings.now()));
  }
}
