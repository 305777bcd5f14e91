/**
 * Connect's write side: sends NEW trigger-log entries to the simulated org one at a time, in
 * log order ("ordered writes"), each in its own transaction, and logs what it sent and what
 * failed. An entry of an object with a push delay waits that long after it was logged; while it
 * waits, later entries that are due go ahead of it.
 */
import type pg from 'pg';
import { poolTransaction } from '../db/pool-transaction.ts';
import type { ConnectSimSettings } from './options.ts';
import { pushRound } from './push-round.ts';
import { triggerLogEntriesClaim, triggerLogNewLast, triggerLogNewPage, type TriggerLogEntry } from './trigger-log.ts';

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

  /**
   * Sends every entry due now, in id order, a round at a time, and says when the next waiting
   * one is due. Entries logged after the pass began wait for the next pass.
   */
  async pushDue(pool: pg.Pool): Promise<PushPassResult> {
    const result: PushPassResult = { pushed: 0, failed: 0 };
    const upTo = await triggerLogNewLast(pool, this.#settings.objects.mirrorSchema);
    const now = this.#settings.now();
    const waiting = new Set<string>();
    const limit = this.#settings.pushRoundSize;
    for (let after = '0', full = upTo !== undefined; full; ) {
      const page = await triggerLogNewPage(pool, this.#settings.objects.mirrorSchema, { after, upTo: upTo ?? '0', limit });
      full = page.length === limit;
      after = page.at(-1)?.id ?? after;
      const due: TriggerLogEntry[] = [];
      for (const entry of page) {
        const dueAt = this.#entryDueAt(entry, now);
        if (dueAt <= now) {
          due.push(entry);
          continue;
        }
        waiting.add(entry.id);
        result.nextDueAt = Math.min(result.nextDueAt ?? dueAt, dueAt);
      }
      const sent = await this.#roundSend(pool, due);
      result.pushed += sent.pushed;
      result.failed += sent.failed;
    }
    // Entries sent, or settled elsewhere (another engine, an operator), are forgotten.
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

  async #roundSend(pool: pg.Pool, due: readonly TriggerLogEntry[]): Promise<{ pushed: number; failed: number }> {
    if (due.length === 0) return { pushed: 0, failed: 0 };
    // Claimed and sent in one transaction: entries another engine claimed first are left to it.
    const results = await poolTransaction(pool, async (client) => {
      const claimed = await triggerLogEntriesClaim(
        client,
        this.#settings.objects.mirrorSchema,
        due.map((entry) => entry.id),
      );
      return pushRound(
        client,
        this.#settings.objects,
        due.filter((entry) => claimed.has(entry.id)),
      );
    });
    let failed = 0;
    for (const { entry, object, outcome, lastop } of results) {
      const context = { table: object.tableName, recordId: entry.recordId, entryId: entry.id, action: entry.action };
      if (outcome.state === 'FAILED') {
        failed += 1;
        this.#settings.log.warn({ ...context, message: outcome.message }, `push failed: ${object.tableName} ${entry.recordId}: ${outcome.message}`);
      } else {
        this.#settings.log.debug({ ...context, sfid: outcome.sfid, lastop }, `pushed ${object.tableName} ${entry.recordId}`);
      }
    }
    const pushed = results.length - failed;
    this.#settings.log.info({ pushed, failed }, `pushed ${pushed} trigger-log entries, ${failed} failed`);
    return { pushed, failed };
  }
}
