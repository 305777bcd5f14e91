/**
 * The pg-boss queues: one per mirror object, named `salesforce-sync.<object>`, and one dead-letter
 * queue that receives every job that ran out of executions or was rejected as malformed.
 */
import type { PgBoss, Queue } from 'pg-boss';
import type { MirrorObjectSet } from '../mirror/object-set.ts';
import { retryDelayBase, retryLimit } from './retry-schedule.ts';

export const deadLetterQueue = 'salesforce-sync.dead-letter';

/** The schema pg-boss keeps its tables in. */
export const bossSchema = 'pgboss';

const day = 24 * 60 * 60;

/** Options of every sync queue. */
export const syncQueueOptions = {
  // One active job per record (the singleton key): two jobs for one record never run at once,
  // while any number may wait. (`stately` would fail a retry that meets a newer waiting job.)
  policy: 'singleton',
  retryLimit,
  // Real errors (a lost connection, a killed worker, a failed write) retry on pg-boss's backoff:
  // 3 s doubling, capped at 30 s, so a passing fault heals in seconds even for a job it hit several
  // times, and ten executions still span minutes. Waiting for a parent is not an error (see
  // parent-wait.ts) and spends none of them.
  retryDelay: retryDelayBase(1),
  retryBackoff: true,
  retryDelayMax: 30,
  deadLetter: deadLetterQueue,
  notify: true,
  // A worker that dies (SIGKILL, a lost connection) stops refreshing its jobs' heartbeat (every
  // 5 s); pg-boss's supervisor fails them back for a retry after 10 s. Expiry stays well above
  // any batch's run, for a handler that is alive but stuck.
  heartbeatSeconds: 10,
  expireInSeconds: 300,
  deleteAfterSeconds: 7 * day,
} as const satisfies Omit<Queue, 'name'>;

const deadLetterOptions = {
  policy: 'standard',
  // Nothing works this queue: jobs wait here for a person (or `redrive`) for 30 days.
  retentionSeconds: 30 * day,
  deleteAfterSeconds: 30 * day,
} as const satisfies Omit<Queue, 'name'>;

/** Every queue `objects` use, dead-letter queue first (the others name it). */
export function queueDefinitions(objects: MirrorObjectSet): Queue[] {
  return [
    { name: deadLetterQueue, ...deadLetterOptions },
    ...objects.objects.map((object) => ({ name: object.queueName, ...syncQueueOptions })),
  ];
}

/** Creates the queues, or brings an existing queue's options up to date; a queue already so is left alone. */
export async function queuesEnsure(boss: PgBoss, objects: MirrorObjectSet): Promise<void> {
  for (const { name, policy, ...options } of queueDefinitions(objects)) {
    const existing = await boss.getQueue(name);
    if (!existing) await boss.createQueue(name, { policy, ...options });
    else if (Object.entries(options).some(([key, value]) => existing[key as keyof typeof existing] !== value)) await boss.updateQueue(name, options);
  }
}
