/**
 * Enqueue overhead: the app transaction that inserts a role and enqueues its job, against the same
 * transaction without the enqueue, in alternating rounds in one run. Also, for comparison, the
 * same enqueue through pg-boss's `send` (what connect-sync did before) and through the SQL
 * function `connect_sync.sync_enqueue`.
 */
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { fromDrizzle } from 'pg-boss';
import { roles, schools } from '../src/editor/app-schema.ts';
import { contactEditorAffiliation } from '../src/editor/objects/contact-editor-affiliation.ts';
import { editorConfig } from '../src/editor/preset.ts';
import { silentLogger } from '../src/log.ts';
import { bossCreate } from '../src/queue/boss.ts';
import { syncEnqueuer } from '../src/queue/enqueue.ts';
import { benchDatabaseCreate } from './bench-database.ts';

export interface EnqueueOverheadResult {
  transactions: number;
  /** Milliseconds per transaction. */
  withoutEnqueueMs: number;
  withEnqueueMs: number;
  /** with ÷ without; the goal is ≤ 1.3. */
  ratio: number;
  /** The same ratio through pg-boss's send and through connect_sync.sync_enqueue. */
  bossSendRatio: number;
  sqlFunctionRatio: number;
  server: string;
}

const perRound = 200;
const rounds = 5;

export async function enqueueOverheadBenchmark(): Promise<EnqueueOverheadResult> {
  const bench = await benchDatabaseCreate('connect_sync_bench_enqueue');
  const boss = bossCreate(bench.database, silentLogger, { poolSize: 2 });
  await boss.start();
  try {
    const { db } = bench.database;
    const schoolId = randomUUID();
    await db.insert(schools).values({ id: schoolId, name: 'Bench School', creatorId: randomUUID() });
    const sync = syncEnqueuer(editorConfig.objects, { enabled: true });
    const roleInsert = (tx: Parameters<Parameters<typeof db.transaction>[0]>[0]) =>
      tx.insert(roles).values({ schoolId, role: 'teacher', userId: randomUUID() }).returning({ id: roles.id });
    const variants = {
      without: () => db.transaction(async (tx) => void (await roleInsert(tx))),
      with: () =>
        db.transaction(async (tx) => {
          const [role] = await roleInsert(tx);
          await sync.enqueue(contactEditorAffiliation, { roleId: role!.id }, { tx });
        }),
      bossSend: () =>
        db.transaction(async (tx) => {
          const [role] = await roleInsert(tx);
          await boss.send(contactEditorAffiliation.queueName, { roleId: role!.id }, { db: fromDrizzle(tx, sql), singletonKey: String(role!.id) });
        }),
      sqlFunction: () =>
        db.transaction(async (tx) => {
          const [role] = await roleInsert(tx);
          await tx.execute(sql`SELECT connect_sync.sync_enqueue(${contactEditorAffiliation.queueName}, ${JSON.stringify({ roleId: role!.id })}::jsonb, ${String(role!.id)})`);
        }),
    };
    const totals = Object.fromEntries(Object.keys(variants).map((name) => [name, 0])) as Record<keyof typeof variants, number>;
    for (let round = 0; round <= rounds; round += 1) {
      for (const [name, run] of Object.entries(variants) as [keyof typeof variants, () => Promise<void>][]) {
        const started = performance.now();
        for (let i = 0; i < perRound; i += 1) await run();
        // Round 0 warms up connections, plans and caches.
        if (round > 0) totals[name] += performance.now() - started;
      }
    }
    const ms = (name: keyof typeof variants) => totals[name] / (rounds * perRound);
    return {
      transactions: rounds * perRound,
      withoutEnqueueMs: round(ms('without'), 3),
      withEnqueueMs: round(ms('with'), 3),
      ratio: round(ms('with') / ms('without')),
      bossSendRatio: round(ms('bossSend') / ms('without')),
      sqlFunctionRatio: round(ms('sqlFunction') / ms('without')),
      server: bench.server,
    };
  } finally {
    await boss.stop({ graceful: false });
    await bench.drop();
  }
}

function round(value: number, digits = 2): number {
  return Math.round(value * 10 ** digits) / 10 ** digits;
}
