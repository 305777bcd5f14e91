/**
 * `connect-sync redrive [object]`: sends dead-lettered sync jobs back to their queues, once
 * whatever they waited for is fixed (the upstream Contact created, the bad payload corrected at
 * its source). Dry run by default; `--apply` moves them, each with a fresh set of executions.
 * pg-boss's own redrive does the moving; this only names the queues.
 */
import type { PgBoss, RedrivePreview } from 'pg-boss';
import type { CommandContext } from '../command-context.ts';
import { syncEnabled } from '../config.ts';
import { SyncDisabledError } from '../errors.ts';
import type { AnyMirrorObject } from '../mirror/object-set.ts';
import { bossCreate } from '../queue/boss.ts';
import { deadLetterQueue } from '../queue/queues.ts';
import { operatorPrint } from './operator-text.ts';

/** What a redrive would move, per source queue. */
export async function redrivePreview(boss: PgBoss, objects: readonly AnyMirrorObject[]): Promise<Map<string, RedrivePreview>> {
  const previews = new Map<string, RedrivePreview>();
  for (const object of objects) previews.set(object.queueName, await boss.previewRedrive(deadLetterQueue, { sourceName: object.queueName }));
  return previews;
}

/** Moves every dead-lettered job of `objects` back to its queue; returns how many moved. */
export async function redriveRun(boss: PgBoss, objects: readonly AnyMirrorObject[]): Promise<number> {
  let moved = 0;
  for (const object of objects) {
    // pg-boss moves at most `limit` a call, oldest first.
    for (;;) {
      const batch = await boss.redrive(deadLetterQueue, { sourceName: object.queueName, limit: 1000 });
      moved += batch;
      if (batch === 0) break;
    }
  }
  return moved;
}

/** The `redrive` command: what would move, or (`--apply`) moving it. */
export async function redriveCommand({ database, config, log, settings }: CommandContext, name: string, options: { apply?: boolean }): Promise<void> {
  const objects = config.objects.select(name);
  if (options.apply && !syncEnabled(settings)) {
    throw new SyncDisabledError('Syncing is off (SALESFORCE_ENABLED=false): redriven jobs would be discarded at once, so nothing was moved.');
  }
  const boss = bossCreate(database, log, { poolSize: database.budget?.boss ?? 2 });
  await boss.start();
  try {
    const previews = await redrivePreview(boss, objects);
    const total = [...previews.values()].reduce((sum, preview) => sum + preview.total, 0);
    for (const [queue, preview] of previews) if (preview.total > 0) operatorPrint(`${queue}: ${preview.total} dead-lettered job(s)`);
    if (!options.apply) {
      operatorPrint(total === 0 ? 'Nothing to redrive.' : `Would send ${total} job(s) back to their queues (dry run; --apply to do it).`);
      return;
    }
    const moved = await redriveRun(boss, objects);
    log.info({ moved }, `redrove ${moved} dead-lettered job(s) back to their queues`);
    operatorPrint(`Sent ${moved} job(s) back to their queues.`);
  } finally {
    await boss.stop({ graceful: false });
  }
}
