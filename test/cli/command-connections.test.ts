/**
 * One-off commands (`heroku run connect-sync …` beside a running worker, dashboard and app; here
 * spawned from dist/, so `npm run build` first) hold at most their small share of the plan's
 * connections, counted in pg_stat_activity while each runs: the database's backends started
 * since it was spawned, at any moment. (Measured before the budget, these commands held at most
 * 3 too: the budget bounds what one may open.)
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { connectionBudgetDefaults } from '../../src/db/connection-budget.ts';
import { workerSpawn } from '../reliability/support.ts';
import { testDatabase } from '../support/database.ts';

const database = await testDatabase();
// The test's one connection: it seeds and counts.
const probe = new pg.Client({ connectionString: database.url });
await probe.connect();
afterAll(() => probe.end());

/** Runs `connect-sync <args>` and returns its exit code and the most connections it held at once. */
async function connectionsHeld([command, ...args]: string[]): Promise<{ code: number | null; most: number; output: string }> {
  // Backends started from here on: not the previous command's, still closing, nor the test's own.
  const since = (await probe.query<{ now: Date }>('SELECT clock_timestamp() AS now')).rows[0]!.now;
  const spawned = await workerSpawn(database, {}, { untilStarted: false, command, args });
  let running = true;
  void spawned.exited.then(() => (running = false));
  let most = 0;
  while (running) {
    const { rows } = await probe.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' AND backend_start >= $1`,
      [since],
    );
    most = Math.max(most, rows[0]!.n);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return { code: await spawned.exited, most, output: spawned.output() };
}

describe('one-off commands', () => {
  it('hold no more connections than their budget', { timeout: 240_000 }, async () => {
    // Enough records that backfill enqueues in several batches.
    await probe.query(`INSERT INTO schools (name, creator_id) SELECT 'School ' || n, gen_random_uuid() FROM generate_series(1, 3000) n`);
    const budget = connectionBudgetDefaults.command;
    const held: Record<string, number> = {};
    for (const args of [['migrate'], ['backfill', 'school'], ['doctor', '--check'], ['redrive']]) {
      const { code, most, output } = await connectionsHeld(args);
      held[args.join(' ')] = most;
      expect([0, 1], output.slice(-2000)).toContain(code);
    }
    console.log(`[connections] most held at once, budget ${budget}: ${JSON.stringify(held)}`);
    for (const [command, most] of Object.entries(held)) expect(most, command).toBeLessThanOrEqual(budget);
  });
});
