/**
 * Connect's write side: sends NEW trigger-log entries to the simulated org one at a time, in
 * log order ("ordered writes"), each in its own transaction, and logs what it sent and what
 * failed. An entry of an object with a push delay waits that long after it was logged; while it
 * waits, later entries that are due go ahead of it.
 */
import type pg from 'pg';
import { poolTransaction } from '../db/pool-transaction.ts';
import { triggerLogEntryPush } from './entry-push.ts';
import type { ConnectSimSettings } from './options.ts';
import { triggerLogEntryClaim, triggerLogNewList, type TriggerLogEntry } from './trigger-log.ts';

/** What one pass sent. */
export interface PushPassResult {
  /** Entries that succeeded. */
  pushed: number;
  /** Entries that failed (for good). */
  failed: number;
  /** When the earliest entry still waiting on its delay is due (ms), if any. */
  nextDueAt?: number;
}

/** Sends due entries; keeps each entry's due time so its jitter is drawn once. */
export class SyncEngine {
  readonly #settings: ConnectSimSettings;
  readonly #dueAt = new Map<string, number>();

  constructor(settings: ConnectSimSettings) {
    this.#settings = settings;
  }

  /** Sends every entry due now, serially in id order, and says when the next waiting one is due. */
  async pushDue(pool: pg.Pool): Promise<PushPassResult> {
    const result: PushPassResult = { pushed: 0, failed: 0 };
    const entries = await triggerLogNewList(pool);
    const now = this.#settings.now();
    const waiting = new Set<string>();
    for (const entry of entries) {
      const dueAt = this.#entryDueAt(entry, now);
      if (dueAt > now) {
        waiting.add(entry.id);
        result.nextDueAt = Math.min(result.nextDueAt ?? dueAt, dueAt);
        continue;
      }
      const pushed = await this.#entrySend(pool, entry.id, entry);
      this.#dueAt.delete(entry.id);
      if (pushed === 'SUCCESS') result.pushed += 1;
      if (pushed === 'FAILED') result.failed += 1;
    }
    // Entries settled elsewhere (another engine, an operator) are forgotten.
    for (const id of this.#dueAt.keys()) if (!waiting.has(id)) this.#dueAt.delete(id);
    return result;
  }

  #entryDueAt(entry: TriggerLogEntry, now: number): number {
    const known = this.#dueAt.get(entry.id);
    if (known !== undefined) return known;
    const delay = this.#settings.pushDelayMs(this.#settings.objects.named(entry.tableName)?.name ?? entry.tableName, this.#settings.random());
    // The wait so far is measured by the database's clock and the rest by ours, so a clock a
    // test moves by hand (or a database on another host) never makes an entry due early.
    const dueAt = delay === 0 ? -Infinity : now + delay - entry.waitedMs;
    this.#dueAt.set(entry.id, dueAt);
    return dueAt;
  }

  async #entrySend(pool: pg.Pool, entryId: string, entry: TriggerLogEntry): Promise<'SUCCESS' | 'FAILED' | 'SKIPPED'> {
    // Claimed and sent in one transaction: another engine that claimed it first makes this a no-op.
    const result = await poolTransaction(pool, async (client) =>
      (await triggerLogEntryClaim(client, entryId)) ? triggerLogEntryPush(client, this.#settings.objects, entry) : undefined,
    );
    if (!result) return 'SKIPPED';
    const context = { table: result.object.tableName, recordId: entry.recordId, entryId, action: entry.action };
    if (result.outcome.state === 'FAILED') {
      this.#settings.log.warn(
        { ...context, message: result.outcome.message },
        `push failed: ${result.object.tableName} ${entry.recordId}: ${result.outcome.message}`,
      );
    } else {
      this.#settings.log.info({ ...context, sfid: result.outcome.sfid, lastop: result.lastop }, `pushed ${result.object.tableName} ${entry.recordId}`);
    }
    return result.outcome.state;
  }
}
