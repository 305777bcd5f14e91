/**
 * Waits are the normal state of a child whose parent is on its way, and under load they come by
 * the hundred a second: one info line each would flood a log drain billed by volume. Each wait is
 * logged at debug; at info, a tally per queue says how many jobs waited, on which parents, at
 * most once per interval (the first wait at once, so a person sees waiting begin).
 */
import type { Logger } from '../log.ts';

/** How often a queue's tally of waits is logged at info by default, in seconds. */
export const waitTallySecondsDefault = 60;

/** Counts one queue's waits by parent object, and logs the count at most once per interval. */
export class WaitTally {
  readonly #log: Logger;
  readonly #intervalMs: number;
  readonly #now: () => number;
  #counts = new Map<string, number>();
  #since: number;
  #loggedAt = -Infinity;

  constructor(log: Logger, options: { intervalSeconds?: number; now?: () => number } = {}) {
    this.#log = log;
    this.#intervalMs = (options.intervalSeconds ?? waitTallySecondsDefault) * 1000;
    this.#now = options.now ?? Date.now;
    this.#since = this.#now();
  }

  /** Counts the waits of one batch (a parent object's name per waiting job). */
  add(parents: readonly string[]): void {
    for (const parent of parents) this.#counts.set(parent, (this.#counts.get(parent) ?? 0) + 1);
    const now = this.#now();
    if (this.#counts.size === 0 || now - this.#loggedAt < this.#intervalMs) return;
    const byParent = Object.fromEntries([...this.#counts].sort(([a], [b]) => a.localeCompare(b)));
    const total = Object.values(byParent).reduce((sum, count) => sum + count, 0);
    const seconds = Math.max(1, Math.round((now - this.#since) / 1000));
    const parts = Object.entries(byParent).map(([parent, count]) => `${count} on ${parent}`);
    this.#log.info({ waits: total, byParent, seconds }, `${total} job(s) waited for a parent in the last ${seconds} s (${parts.join(', ')})`);
    this.#counts = new Map();
    this.#since = now;
    this.#loggedAt = now;
  }
}
